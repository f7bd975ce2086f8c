/** The WebAssembly text files of the source tree and the TypeScript modules built from them. */
import wabt from 'wabt';

export const WASM_SOURCES = [{ wat: 'src/trail/structure.wat', module: 'src/trail/structure-wasm.ts' }];

/** The TypeScript module holding the assembled bytes of `text` (base64, lines of 100 characters). */
export async function wasmModuleSource(text: string, name: string): Promise<string> {
  const tools = await wabt();
  const parsed = tools.parseWat(name, text, { simd: true });
  try {
    parsed.validate();
    const { buffer } = parsed.toBinary({});
    const base64 = Buffer.from(buffer).toString('base64');
    const lines = base64.match(/.{1,100}/g)!.map((l) => `  '${l}' +`);
    return [
      `// Built from ${name.split('/').pop()} by scripts/build-wasm.ts: do not edit.`,
      'export const WASM_BASE64 =',
      ...lines.slice(0, -1),
      lines.at(-1)!.replace(/ \+$/, ';'),
      '',
    ].join('\n');
  } finally {
    parsed.destroy();
  }
}
