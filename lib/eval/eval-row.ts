/** One row of an evaluation table: a method on a dataset (what EvalResult rows hold). */
export interface EvalRow {
  method: string;
  dataset: string;
  n: number;
  em: number;
  f1: number;
  meanSeconds: number;
  meanRetrievals: number;
}
