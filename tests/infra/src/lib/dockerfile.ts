import { readFileSync } from 'node:fs';

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, … */
  op: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
}

export interface Stage {
  name: string;
  /** Base image after ARG defaults are substituted. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** A small Dockerfile parser: comments, line continuations, stages, global ARG defaults. */
export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] ?? '';
    if (/^\s*(#|$)/.test(first)) continue;
    const startLine = i + 1;
    let joined = first;
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      joined = joined.replace(/\\\s*$/, ' ');
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      joined += next;
    }
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(joined);
    if (!m?.[1]) throw new Error(`line ${startLine}: cannot parse "${joined}"`);
    instructions.push({ op: m[1].toUpperCase(), args: (m[2] ?? '').trim().replace(/\s+/g, ' '), line: startLine });
  }
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m?.[1]) throw new Error(`line ${ins.line}: bad FROM`);
      const from = m[1].replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => globalArgs[a ?? b ?? ''] ?? '');
      stages.push({ name: m[2] ?? String(stages.length), from, instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) {
      if (ins.op !== 'ARG') throw new Error(`line ${ins.line}: ${ins.op} before FROM`);
      const [name, value = ''] = ins.args.split('=');
      if (name) globalArgs[name] = value;
      continue;
    }
    stage.instructions.push(ins);
  }
  return { globalArgs, stages };
}

export const readDockerfile = (path: string): Dockerfile => parseDockerfile(readFileSync(path, 'utf8'));

/** The JSON exec form of CMD/ENTRYPOINT/HEALTHCHECK CMD, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a): a is string => typeof a === 'string')) throw new Error(`not a JSON string array: ${args}`);
  return parsed;
}

/** Leading `--name=value` flags of COPY/RUN/HEALTHCHECK, and the rest. */
export function splitFlags(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args.trim();
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(rest);
    if (!m?.[1]) break;
    flags[m[1]] = m[2] ?? 'true';
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

export interface HealthCheck {
  flags: Record<string, string>;
  command: string[];
}

export function healthcheckOf(stage: Stage): HealthCheck | undefined {
  const ins = stage.instructions.filter((i) => i.op === 'HEALTHCHECK').pop();
  if (!ins) return undefined;
  const { flags, rest } = splitFlags(ins.args);
  const m = /^CMD\s+([\s\S]+)$/.exec(rest);
  if (!m?.[1]) return undefined;
  const command = execForm(m[1]);
  if (!command) throw new Error(`HEALTHCHECK must use the exec form: ${ins.args}`);
  return { flags, command };
}

/** ENV instructions of a stage, in order (`ENV A=1 B=2` and the legacy `ENV A 1`). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of stage.instructions.filter((i) => i.op === 'ENV')) {
    const pairs = [...ins.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)];
    if (pairs.length === 0) {
      const [k, ...v] = ins.args.split(' ');
      if (k) env[k] = v.join(' ');
    }
    for (const p of pairs) if (p[1]) env[p[1]] = (p[2] ?? '').replace(/^"|"$/g, '');
  }
  return env;
}

export interface CopyFrom {
  from: string | undefined;
  sources: string[];
  dest: string;
  line: number;
}

export function copiesOf(stage: Stage): CopyFrom[] {
  return stage.instructions
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const { flags, rest } = splitFlags(i.args);
      const parts = rest.split(' ');
      const dest = parts.pop() ?? '';
      return { from: flags['from'], sources: parts, dest, line: i.line };
    });
}

export const lastOf = (stage: Stage, op: string): Instruction | undefined => stage.instructions.filter((i) => i.op === op).pop();
