/** A one-shot DNS TXT query over UDP, for tests that check what a running server answers. */
import { createSocket } from 'node:dgram';
import { buildMessage, parseMessage, parseName, RecordClass, RecordType } from '../src/index.js';

/** Asks 127.0.0.1:`port` for TXT `name`; resolves to the TXT strings of the answer (empty for none). */
export async function queryTxt(port: number, name: string, timeoutMs = 5000): Promise<string[]> {
  const socket = createSocket('udp4');
  try {
    const query = buildMessage({
      id: 4242,
      flags: 0x0100,
      questions: [{ name: parseName(name), type: RecordType.TXT, class: RecordClass.IN }],
      answers: [],
      authorities: [],
      additionals: [],
    });
    const reply = await new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('DNS timeout')), timeoutMs);
      socket.once('message', (msg) => {
        clearTimeout(timer);
        resolve(new Uint8Array(msg));
      });
      socket.send(query, port, '127.0.0.1');
    });
    const decoder = new TextDecoder();
    return parseMessage(reply).answers.flatMap((rr) =>
      rr.data.kind === 'TXT' ? [rr.data.strings.map((s) => decoder.decode(s)).join('')] : [],
    );
  } finally {
    socket.close();
  }
}
