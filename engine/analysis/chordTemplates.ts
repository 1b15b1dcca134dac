/** The chord types the templates know: major triad, minor triad, dominant seventh. */
export type ChordType = 'maj' | 'min' | '7';

/** A chord label: root pitch class (0 = C … 11 = B) and type. */
export interface ChordLabel {
  root: number;
  type: ChordType;
}

/** One binary chord template over the 12 pitch classes C..B. */
export interface ChordTemplate extends ChordLabel {
  /** 1 on the chord's pitch classes, 0 elsewhere. */
  readonly template: Float32Array;
  /** The template minus its mean, scaled to unit length (for Pearson correlation). */
  readonly centred: Float32Array;
}

/** Pitch-class intervals above the root for each chord type. */
export const chordIntervals: Readonly<Record<ChordType, readonly number[]>> = {
  maj: [0, 4, 7],
  min: [0, 3, 7],
  '7': [0, 4, 7, 10],
};

/** Pitch-class names C..B (sharps). */
export const pitchClassNames = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'] as const;

function makeTemplate(root: number, type: ChordType): ChordTemplate {
  const template = new Float32Array(12);
  for (const iv of chordIntervals[type]) template[(root + iv) % 12] = 1;
  const mean = chordIntervals[type].length / 12;
  const centred = new Float32Array(12);
  let norm = 0;
  for (let k = 0; k < 12; k++) {
    centred[k] = template[k] - mean;
    norm += centred[k] * centred[k];
  }
  norm = Math.sqrt(norm);
  for (let k = 0; k < 12; k++) centred[k] /= norm;
  return { root, type, template, centred };
}

/** The 36 templates: 12 roots (C..B) × major, minor, dominant seventh, in that order per root. */
export const chordTemplates: readonly ChordTemplate[] = (() => {
  const out: ChordTemplate[] = [];
  for (let root = 0; root < 12; root++) {
    for (const type of ['maj', 'min', '7'] as const) out.push(makeTemplate(root, type));
  }
  return out;
})();

/**
 * Pearson correlation between a 12-bin chroma and a template, in [−1, 1]. A constant chroma
 * (e.g. all zeros) correlates 0 with everything.
 */
export function chordCorrelation(chroma: ArrayLike<number>, template: ChordTemplate): number {
  let mean = 0;
  for (let k = 0; k < 12; k++) mean += chroma[k];
  mean /= 12;
  let dot = 0;
  let norm = 0;
  for (let k = 0; k < 12; k++) {
    const c = chroma[k] - mean;
    dot += c * template.centred[k];
    norm += c * c;
  }
  return norm > 0 ? dot / Math.sqrt(norm) : 0;
}

/** A chord label with its template correlation. */
export interface ChordMatch extends ChordLabel {
  /** Pearson correlation of the chroma with the winning template. */
  score: number;
}

/**
 * The best-correlating of the 36 {@link chordTemplates} (Pearson correlation); ties go to the
 * first template in order (root C first; major, minor, seventh). For a flat chroma this is C major
 * with score 0.
 */
export function matchChord(chroma: ArrayLike<number>): ChordMatch {
  let best = chordTemplates[0];
  let bestScore = -Infinity;
  for (const t of chordTemplates) {
    const s = chordCorrelation(chroma, t);
    if (s > bestScore) {
      bestScore = s;
      best = t;
    }
  }
  return { root: best.root, type: best.type, score: bestScore };
}

/** The root and type of the best-correlating chord template (see {@link matchChord}). */
export function classifyChord(chroma: ArrayLike<number>): ChordLabel {
  const { root, type } = matchChord(chroma);
  return { root, type };
}

/** A readable chord name, e.g. `C`, `F#m`, `A7`. */
export function chordName(label: ChordLabel): string {
  const suffix = label.type === 'maj' ? '' : label.type === 'min' ? 'm' : '7';
  return `${pitchClassNames[label.root]}${suffix}`;
}
