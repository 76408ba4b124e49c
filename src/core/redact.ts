/**
 * Last line of defence for secrets: anything we print that might carry a URL or a key goes through
 * here. Keys registered at start-up are replaced wherever they appear, and key-bearing query
 * parameters are masked even when the key was not registered.
 */
const secrets = new Set<string>();

export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 4) secrets.add(secret);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out.replace(/([?&](?:key|access_token)=)[^&\s"']+/g, '$1***');
}
