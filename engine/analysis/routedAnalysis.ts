import type { AudioBlock, InputRoute } from '../audio/AudioBlock.js';
import { createRouter } from '../audio/route.js';
import type { Frames, Hz } from '../units.js';
import { createAnalyzer, feed, type AnalysisOverrides, type Analyzer } from './analyzer.js';
import type { Features } from './Features.js';

/** One analyzer per named input of a (multi-channel) source. */
export interface RoutedAnalysis {
  readonly routes: readonly InputRoute[];
  readonly analyzers: readonly Analyzer[];
  /** Routes one block and analyses each input; `onHop(i, features)` per completed hop of input i. */
  process(block: AudioBlock, onHop: (input: number, f: Features) => void): void;
}

export function createRoutedAnalysis(
  routes: readonly InputRoute[],
  sampleRate: Hz,
  maxBlockFrames: Frames,
  params: AnalysisOverrides = {},
): RoutedAnalysis {
  const route = createRouter(routes, maxBlockFrames);
  const analyzers = routes.map(() => createAnalyzer(sampleRate, params));
  let sink: (input: number, f: Features) => void = () => {};
  const handlers = analyzers.map((_, i) => (f: Features) => sink(i, f));
  return {
    routes,
    analyzers,
    process(block, onHop) {
      sink = onHop;
      const monos = route(block);
      for (let i = 0; i < analyzers.length; i++) feed(analyzers[i], monos[i], handlers[i]);
    },
  };
}
