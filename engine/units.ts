/** Time in seconds. */
export type Seconds = number;
/** Frequency in hertz. */
export type Hz = number;
/** A count of sample frames (one frame = one sample per channel). */
export type Frames = number;
/** Level in decibels relative to full scale. */
export type Db = number;
