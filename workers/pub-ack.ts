/** Reading a PubAck ({"stream":"S","seq":N,...}) without JSON.parse: only its stream sequence is wanted. */

const SEQ_KEY = [0x22, 0x73, 0x65, 0x71, 0x22, 0x3a]; // "seq":

/** The stream sequence of a PubAck body, or 0 when it has none. */
export function pubAckSeq(data: Uint8Array): number {
  outer: for (let i = 0; i + SEQ_KEY.length < data.length; i++) {
    for (let k = 0; k < SEQ_KEY.length; k++) if (data[i + k] !== SEQ_KEY[k]) continue outer;
    let n = 0;
    for (let j = i + SEQ_KEY.length; j < data.length; j++) {
      const c = data[j]!;
      if (c === 0x20) continue;
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + (c - 0x30);
    }
    return n;
  }
  return 0;
}
