/** A Helm chart written for the rehearsal in place of a real one, at the real one's name and version. */
export interface StandInChart {
  readonly name: string;
  readonly version: string;
  readonly appVersion: string;
  /** values.yaml: only the keys the stand-in's templates read, with the real chart's defaults. */
  readonly values: Readonly<Record<string, unknown>>;
  /** File name under templates/ → Go template text. */
  readonly templates: Readonly<Record<string, string>>;
  /** File name under crds/ → manifest; Helm installs these first and never deletes them. */
  readonly crds?: Readonly<Record<string, string>>;
}
