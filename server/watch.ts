import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidChangeWatchedFilesNotification, type Connection, type Disposable, type FileSystemWatcher } from 'vscode-languageserver';

/**
 * Asks the client to watch exactly the files and folders the open pipelines' checks looked at
 * (data files, `cwd` folders, scripts run by path), through a dynamic registration of
 * `workspace/didChangeWatchedFiles`, replaced whenever that set changes. Paths outside the
 * workspace are watched too when the client understands relative patterns.
 */
export class FileWatchers {
  private current = new Set<string>();
  private registration: Promise<Disposable | undefined> = Promise.resolve(undefined);

  constructor(
    private readonly connection: Connection,
    private readonly relativePatterns: boolean,
  ) {}

  update(paths: ReadonlySet<string>): void {
    if (paths.size === this.current.size && [...paths].every((p) => this.current.has(p))) return;
    this.current = new Set(paths);
    const watchers: FileSystemWatcher[] = [...paths].map((p) =>
      this.relativePatterns ? { globPattern: { baseUri: pathToFileURL(path.dirname(p)).href, pattern: path.basename(p) } } : { globPattern: p },
    );
    const previous = this.registration;
    this.registration = previous
      .then(async (old) => {
        old?.dispose();
        return watchers.length > 0 ? this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers }) : undefined;
      })
      .catch(() => undefined); // a client that refuses just gets no watchers; the next edit re-checks
  }
}
