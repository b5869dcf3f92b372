// File names inside archives, as bytes → text. UTF-8 where the bytes are valid UTF-8; otherwise each byte
// is one character (Latin-1), so that two different names never become the same text (a lenient UTF-8
// decoder turns every invalid byte into U+FFFD: "caf\xe9" and "caf\xe8" would both be "caf\uFFFD" and
// two class folders would silently merge).
const strict = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

export function decodeName(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    // TextDecoder's 'latin1' is windows-1252, which maps 0x80-0x9f to other characters: still one
    // character per byte and distinct per byte.
    return latin1.decode(bytes);
  }
}
