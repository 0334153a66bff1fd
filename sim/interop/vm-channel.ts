// The host side of the VM command channel (the wire format of images/vm/agent.sh): encodes
// requests and turns the guest's byte stream into results. Pure: no processes, no timers.
//
// host -> guest:  RUN <id> <base64 script>\n   KILL <id>\n   PING\n
// guest -> host:  @@READY\n, then per finished job:
//                 @@BEGIN <id>\n @@OUT\n <base64 lines> @@ERR\n <base64 lines> @@END <id> <status>\n
// Base64 payloads never start with '@', so a marker can only be a marker. Lines outside a frame
// are reported as noise (nothing else writes to the channel port, but a stray line must not
// break the parser).

export const READY_MARKER = '@@READY';
const BEGIN = '@@BEGIN ';
const OUT = '@@OUT';
const ERR = '@@ERR';
const END = '@@END ';

export interface ChannelResult {
  id: number;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ChannelEvents {
  ready(): void;
  result(result: ChannelResult): void;
  noise(line: string): void;
}

export function encodeRun(id: number, script: string): string {
  return `RUN ${id} ${Buffer.from(script, 'utf8').toString('base64')}\n`;
}

export function encodeKill(id: number): string {
  return `KILL ${id}\n`;
}

export const PING_LINE = 'PING\n';

type Section = 'none' | 'header' | 'out' | 'err';

/** Streaming parser: feed it any chunking of the guest's output. */
export class ChannelParser {
  #pending = '';
  #section: Section = 'none';
  #id = -1;
  #out: string[] = [];
  #err: string[] = [];
  readonly #events: ChannelEvents;

  constructor(events: ChannelEvents) {
    this.#events = events;
  }

  push(chunk: Buffer | string): void {
    this.#pending += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    let newline = this.#pending.indexOf('\n');
    while (newline >= 0) {
      const line = this.#pending.slice(0, newline).replace(/\r$/, '');
      this.#pending = this.#pending.slice(newline + 1);
      this.#line(line);
      newline = this.#pending.indexOf('\n');
    }
  }

  #line(line: string): void {
    if (line === READY_MARKER) {
      this.#reset();
      this.#events.ready();
    } else if (line.startsWith(BEGIN)) {
      this.#reset();
      this.#id = Number(line.slice(BEGIN.length));
      this.#section = 'header';
    } else if (line === OUT && this.#section === 'header') {
      this.#section = 'out';
    } else if (line === ERR && this.#section === 'out') {
      this.#section = 'err';
    } else if (line.startsWith(END) && this.#section === 'err') {
      const [idText, statusText] = line.slice(END.length).split(' ');
      const id = Number(idText);
      const exitCode = Number(statusText);
      if (id === this.#id && Number.isInteger(exitCode)) {
        this.#events.result({ id, exitCode, stdout: decode(this.#out), stderr: decode(this.#err) });
      } else {
        this.#events.noise(line);
      }
      this.#reset();
    } else if (this.#section === 'out' && !line.startsWith('@')) {
      this.#out.push(line);
    } else if (this.#section === 'err' && !line.startsWith('@')) {
      this.#err.push(line);
    } else {
      if (this.#section !== 'none') this.#reset();
      if (line !== '') this.#events.noise(line);
    }
  }

  #reset(): void {
    this.#section = 'none';
    this.#id = -1;
    this.#out = [];
    this.#err = [];
  }
}

function decode(lines: string[]): string {
  return Buffer.from(lines.join('').replace(/\s+/g, ''), 'base64').toString('utf8');
}
