/** What the harness reads from the Compare view (shared by the harness and the suite). */
export interface CompareDom {
  title: string;
  runs: string[];
  /** Each line of the headline above the stage table. */
  headline: string[];
  /** Stage rows: name, then the cells' texts; `changed`: the row is marked as changed counts. */
  stages: { name: string; cells: string[]; countsChanged: boolean }[];
  edges: string[][];
  recordsStatus: string;
  /** The record examples' buttons (data-key `open-a-N` / `open-b-N`) and their lines, per kind heading. */
  kinds: { title: string; examples: { key: string; line: string }[] }[];
}

export interface CompareReadArgs {
  /** Wait until the records status contains this. */
  records?: string;
  /** Type this key and compare the records again first. */
  key?: string;
  screenshot?: string;
}
