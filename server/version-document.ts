import { TextDocument, type Position, type Range } from 'vscode-languageserver-textdocument';

/**
 * One version of a document, for turning offsets into positions and back. Positions need an index of where each line
 * starts: a scan of the whole text, ~0.3 s at 20 MB, which a new version's first diagnostics waited for after every
 * keystroke. The live document (`TextDocuments`' own, changed in place by each edit) keeps its index up to date edit by
 * edit, so while it still holds this version's text its positions are this version's; only once it has moved on does
 * this version make its own (`create`, once).
 */
export class VersionDocument implements TextDocument {
  private own: TextDocument | undefined;

  constructor(
    private readonly live: TextDocument,
    readonly version: number,
    private readonly text: string,
    private readonly create = TextDocument.create,
  ) {}

  get uri(): string {
    return this.live.uri;
  }

  get languageId(): string {
    return this.live.languageId;
  }

  /** The live document while it is this version (each edit gives it a newer one), else this version's own. */
  private positions(): TextDocument {
    if (this.live.version === this.version) return this.live;
    this.own ??= this.create(this.live.uri, this.live.languageId, this.version, this.text);
    return this.own;
  }

  getText(range?: Range): string {
    return range ? this.positions().getText(range) : this.text;
  }

  positionAt(offset: number): Position {
    return this.positions().positionAt(offset);
  }

  offsetAt(position: Position): number {
    return this.positions().offsetAt(position);
  }

  getLineRange(line: number): Range {
    return this.positions().getLineRange(line);
  }

  getEOLCharacters(line: number): string {
    return this.positions().getEOLCharacters(line);
  }

  get lineCount(): number {
    return this.positions().lineCount;
  }
}
