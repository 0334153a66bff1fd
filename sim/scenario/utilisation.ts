// placeholder
export interface IntervalUtilisation {
  readonly cpu: readonly number[];
}
