import { connect, type Socket } from "node:net";

// A minimal HTTP/1.1 keep-alive client for load generation. The load generator shares the machine's two cores
// with the server, so every microsecond it spends is one the server does not get: node:http's client costs about
// three times as much CPU per request as this (undici's fetch more still). It sends one request at a time per
// connection and reads responses that carry a Content-Length, which is all Portcullis's token endpoint sends.

export type THttpAnswer = { status: number; body: string };

/** One persistent connection to `host:port`. */
export class LoadConnection {
  private socket: Socket | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { resolve: (a: THttpAnswer) => void; reject: (e: Error) => void } | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    socket.on("data", (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    const fail = (err: Error) => {
      this.socket = null;
      this.buffer = Buffer.alloc(0);
      const p = this.pending;
      this.pending = null;
      p?.reject(err);
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("connection closed")));
    this.socket = socket;
    return socket;
  }

  private drain(): void {
    const end = this.buffer.indexOf("\r\n\r\n");
    if (end < 0 || !this.pending) return;
    const head = this.buffer.toString("latin1", 0, end);
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
    if (!Number.isFinite(length)) {
      this.pending.reject(new Error("response without content-length"));
      this.pending = null;
      return;
    }
    if (this.buffer.length < end + 4 + length) return;
    const body = this.buffer.toString("utf8", end + 4, end + 4 + length);
    this.buffer = this.buffer.subarray(end + 4 + length);
    const p = this.pending;
    this.pending = null;
    p.resolve({ status: Number(head.slice(9, 12)), body });
  }

  /** POST a form body; resolves with the status and the body text. */
  post(path: string, form: string, extraHeaders = ""): Promise<THttpAnswer> {
    const socket = this.socket ?? this.open();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n` +
          `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(form)}\r\n` +
          `${extraHeaders}\r\n${form}`,
      );
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }
}
