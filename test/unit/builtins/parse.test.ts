import { describe, expect, it } from 'vitest';
import { bash, ndjson, records, runBuiltin } from './helpers';

const dpkg = '^(?<date>\\S+) (?<time>(?<hour>\\d\\d):\\d\\d:\\d\\d) (?<action>\\S+)(?: (?<package>[^\\s:]+):(?<arch>\\S+) (?<from>\\S+) (?<to>\\S+))?';
const lines = (...texts: string[]): string => ndjson(texts.map((line) => ({ line })));

describe('parse with a regex', () => {
  it('named groups become fields in place of the text field; other fields stay; a group that took no part is null', async () => {
    const input = ndjson([
      { host: 'a', line: '2026-12-07 00:02:32 install chromium:amd64 <none> 156.0', seq: 1 },
      { host: 'b', line: '2026-12-07 00:02:31 startup archives unpack' },
    ]);
    const r = await runBuiltin('parse', { regex: dpkg }, input);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const out = r.stdout.toString().split('\n');
    expect(JSON.parse(out[0]!)).toEqual({
      host: 'a',
      date: '2026-12-07',
      time: '00:02:32',
      hour: '00',
      action: 'install',
      package: 'chromium',
      arch: 'amd64',
      from: '<none>',
      to: '156.0',
      seq: 1,
    });
    expect(Object.keys(JSON.parse(out[0]!) as object)).toEqual(['host', 'date', 'time', 'hour', 'action', 'package', 'arch', 'from', 'to', 'seq']);
    expect(JSON.parse(out[1]!)).toMatchObject({ host: 'b', action: 'startup', package: null, to: null });
  });

  it('field: parses another field; a parsed field wins over one of the same name', async () => {
    const r = await runBuiltin('parse', { regex: '(?<user>\\w+)@(?<host>\\w+)', field: 'msg' }, ndjson([{ host: 'old', msg: 'bob@box' }]));
    expect(records(r.stdout)).toEqual([{ user: 'bob', host: 'box' }]);
  });

  it('a record that does not match: fail names it (and every way out), skip drops it, keep passes it on byte for byte', async () => {
    const input = lines('a=1', 'nothing', 'b=2').replace('"nothing"}', '"nothing" }');
    const fail = await runBuiltin('parse', { regex: '(?<k>\\w)=(?<v>\\d)' }, input);
    expect(fail.code).toBe(1);
    expect(records(fail.stdout)).toEqual([{ k: 'a', v: '1' }]);
    expect(fail.stderr).toMatch(
      /record 2 does not match the regex \(`nothing`\); make `regex`, `format` or `types` fit such records, or set `onError: skip` to drop such records \(or `onError: keep` to pass them on unchanged\)/,
    );
    const skip = await runBuiltin('parse', { regex: '(?<k>\\w)=(?<v>\\d)', onError: 'skip' }, input);
    expect(skip.code).toBe(0);
    expect(records(skip.stdout)).toEqual([
      { k: 'a', v: '1' },
      { k: 'b', v: '2' },
    ]);
    expect(skip.stderr).toMatch(/skipped 1 of 3 records \(onError: skip\); the first: record 2 does not match/);
    const keep = await runBuiltin('parse', { regex: '(?<k>\\w)=(?<v>\\d)', onError: 'keep' }, input);
    expect(keep.code).toBe(0);
    expect(keep.stdout.toString()).toBe('{"k":"a","v":"1"}\n{"line":"nothing" }\n{"k":"b","v":"2"}\n');
    expect(keep.stderr).toMatch(/^kept record 2 unchanged: it does not match the regex[^]*kept unchanged 1 of 3 records \(onError: keep\)/);
  });

  it('a record without the field, with a field that is not text, or that is not JSON is a record problem too', async () => {
    const r = await runBuiltin('parse', { regex: '(?<a>.)', onError: 'skip' }, '{"msg":"x"}\n{"line":5}\nnot json\n{"line":"ok"}\n');
    expect(records(r.stdout)).toEqual([{ a: 'o' }]);
    expect(r.stderr).toMatch(/record 1: it has no `line` field/);
    expect(r.stderr).toMatch(/record 2: it has a `line` that is not text/);
    expect(r.stderr).toMatch(/record 3: it is not valid JSON/);
  });

  it('keeps bytes that are not UTF-8 as they are, from read (lines) through parse', () => {
    const r = bash(`printf 'caf\\351 42\\n\\303\\251t\\303\\251 7\\n' > /tmp/pw-parse-bytes.log
      node "$B" read '{"path":"/tmp/pw-parse-bytes.log","format":"lines"}' | node "$B" parse '{"regex":"^(?<word>\\\\S+) (?<n>\\\\d+)$","types":{"n":"number"}}' | od -An -c | tr -s ' '
      rm /tmp/pw-parse-bytes.log`);
    expect(r.stderr).toBe('');
    expect(r.stdout.replace(/\s+/g, ' ').trim()).toBe(
      '{ " w o r d " : " c a f 351 " , " n " : 4 2 } \\n { " w o r d " : " 303 251 t 303 251 " , " n " : 7 } \\n',
    );
  });

  it('stops quietly when its reader goes away (early stop)', () => {
    const r = bash(`yes '{"line":"a=1"}' | node "$B" parse '{"format":"logfmt"}' | head -n 2; echo "statuses=\${PIPESTATUS[*]}"`);
    expect(r.stdout).toBe('{"a":"1"}\n{"a":"1"}\nstatuses=141 141 0\n');
    expect(r.stderr).toBe('');
  });
});

describe('parse types', () => {
  it('number and timestamp; empty text is null', async () => {
    const regex = '(?<status>\\d*) (?<bytes>\\S+) \\[(?<time>[^\\]]+)\\] (?<at>\\S+)';
    const types = { status: 'number', bytes: 'number', time: 'timestamp', at: 'timestamp' };
    const r = await runBuiltin(
      'parse',
      { regex, types },
      lines('200 5.5e3 [10/Oct/2000:13:55:36 -0700] 1765065752', ' -1 [2026-12-07T00:02:32Z] 2026-12-07T01:00:00+01:00'),
    );
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(records(r.stdout)).toEqual([
      { status: 200, bytes: 5500, time: '2000-10-10T20:55:36.000Z', at: '2025-12-07T00:02:32.000Z' },
      { status: null, bytes: -1, time: '2026-12-07T00:02:32.000Z', at: '2026-12-07T00:00:00.000Z' },
    ]);
  });

  it('a local time without a zone is read in the TZ of the run', async () => {
    const r = await runBuiltin('parse', { regex: '(?<t>.+)', types: { t: 'timestamp' } }, lines('2026-12-07 00:02:32'), {
      env: { ...process.env, TZ: 'Asia/Tokyo' },
    });
    expect(records(r.stdout)).toEqual([{ t: '2026-12-06T15:02:32.000Z' }]);
  });

  it('text that does not convert is a record problem, never a silent null', async () => {
    const r = await runBuiltin(
      'parse',
      { regex: '(?<n>\\S+) (?<t>.+)', types: { n: 'number', t: 'timestamp' }, onError: 'skip' },
      lines('- 2026-12-07', '1 Dec  7 10:00:00', '2 2026-13-45'),
    );
    expect(records(r.stdout)).toEqual([]);
    expect(r.stderr).toMatch(/record 1: it has `n` = `-`, not a number/);
    expect(r.stderr).toMatch(/record 2: it has `t` = `Dec {2}7 10:00:00`, a time without a year/);
    expect(r.stderr).toMatch(/record 3: it has `t` = `2026-13-45`, not a time/);
  });
});

describe('parse logfmt and kv', () => {
  it('logfmt: quoted values with escapes, bare keys are true, empty values are text; anything else is a problem', async () => {
    const r = await runBuiltin(
      'parse',
      { format: 'logfmt', types: { ms: 'number' }, onError: 'skip' },
      lines('at=info msg="a \\"b\\" c" ms=12 debug empty=', 'at=x broken="open', 'a"b=1'),
    );
    expect(records(r.stdout)).toEqual([{ at: 'info', msg: 'a "b" c', ms: 12, debug: true, empty: '' }]);
    expect(r.stderr).toMatch(/record 2: it is not logfmt at column 6/);
    expect(r.stderr).toMatch(/record 3: it is not logfmt at column 1/);
  });

  it('kv: pairs picked out of free text; a text without any is a problem', async () => {
    const r = await runBuiltin(
      'parse',
      { format: 'kv', onError: 'skip' },
      lines('login failed user=bob ip=10.0.0.1, port=22; note="two words"', 'no pairs here'),
    );
    expect(records(r.stdout)).toEqual([{ user: 'bob', ip: '10.0.0.1', port: '22', note: 'two words' }]);
    expect(r.stderr).toMatch(/record 2: it holds no key=value pair/);
  });

  it('a key named __proto__ is a field like any other', async () => {
    const r = await runBuiltin('parse', { format: 'kv' }, lines('__proto__=x a=1'));
    expect(r.stdout.toString()).toBe('{"__proto__":"x","a":"1"}\n');
  });
});

describe('parse options', () => {
  it('fail with status 2 before reading anything, saying what is wrong', async () => {
    const cases: [unknown, RegExp][] = [
      [{ regex: '(?<a>x' }, /the regex is not valid \(Invalid regular expression: .*Unterminated group\); fix `regex`/],
      [{ regex: '(\\d+) (\\w+)' }, /the regex has no named groups, so it gives no fields/],
      [{ regex: '(?<a>x)', format: 'kv' }, /needs `regex` .* or `format: logfmt` or `kv`, not both/],
      [{}, /needs `regex`/],
      [{ regex: '(?<a>x)', types: { b: 'number' } }, /`types` names `b`, which the regex does not capture/],
      [{ regex: '(?<a>x)', types: { a: 'date' } }, /`types` must map names to `number` or `timestamp`/],
      [{ format: 'kv', onError: 'ignore' }, /`onError` must be one of `fail`, `skip`, `keep`/],
    ];
    for (const [options, message] of cases) {
      const r = await runBuiltin('parse', options, lines('x'));
      expect({ code: r.code, out: r.stdout.length }).toEqual({ code: 2, out: 0 });
      expect(r.stderr).toMatch(message);
    }
  });
});
