/**
 * Ink draws only the final frame when `CI` (or `CONTINUOUS_INTEGRATION`) is set, reading it once
 * when it loads. We draw with Ink only on a terminal (the TUI, transcribe's progress bar), so a
 * person is watching whatever CI says: Ink loads without those flags, which are put back at once
 * for everything else.
 */
export async function importWithoutCiFlags<T>(load: () => Promise<T>): Promise<T> {
  const names = ['CI', 'CONTINUOUS_INTEGRATION'] as const;
  const saved = names.map((name) => [name, process.env[name]] as const);
  for (const name of names) delete process.env[name];
  try {
    return await load();
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}

