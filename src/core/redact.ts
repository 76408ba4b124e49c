/**
 * Last line of defence for secrets: anything we print that might carry a URL or a key goes through
 * here. Keys registered at start-up are replaced wherever they appear, and key-bearing query
 * parameters are masked even when the key was not registered.
 */
const secrets = new Set<string>();

export function registerSecret(secret: string | undefined): void {
  if (!secret || secret.length < 4) return;
  secrets.add(secret);
  // As a server or a URL would echo it back: percent-encoded (a key is sent as ?key=…).
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) secrets.add(encoded);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out.replace(/([?&](?:key|access_token)=)[^&\s"']+/g, '$1***');
}

/**
 * Redacts text written in pieces (a transcript streams a word at a time): a secret split across
 * pieces is still caught, because a tail that could begin a secret is held back until the next
 * piece or flush(). Lines (NDJSON) never end inside a secret, so they pass straight through.
 */
export class StreamRedactor {
  private held = '';

  push(text: string): string {
    const combined = redact(this.held + text);
    const hold = secretPrefixAtEnd(combined);
    this.held = combined.slice(combined.length - hold);
    return combined.slice(0, combined.length - hold);
  }

  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }
}

/** The length of the longest proper prefix of a registered secret that `text` ends with. */
export function secretPrefixAtEnd(text: string): number {
  let longest = 0;
  for (const secret of secrets) {
    for (let k = Math.min(secret.length - 1, text.length); k > longest; k--) {
      if (text.endsWith(secret.slice(0, k))) {
        longest = k;
        break;
      }
    }
  }
  return longest;
}
