import { mergeEnv, type Pipeline, type Stage } from '../dsl';

/**
 * Names that look like they hold a secret. Their values are never shown (hover, completion
 * docs): an editor screen is often shared, recorded or pasted.
 */
const secretWords = /(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|PASS|PWD|KEY|APIKEY|AUTH|CREDENTIALS?|PRIVATE|COOKIE|SESSION|SIGNATURE|CERT|SALT|DSN)S?(_|$)/i;
const secretParts = /TOKEN|SECRET|PASSW|CREDENTIAL|APIKEY|PRIVATE/i;

export function isSecretName(name: string): boolean {
  if (name === 'PWD' || name === 'OLDPWD') return false; // working directories, not passwords
  return secretWords.test(name) || secretParts.test(name);
}

/** How a value may be shown: masked for secret-looking names (its length is not revealed either). */
export function shownValue(name: string, value: string): string {
  return isSecretName(name) ? '•••••• (hidden: the name looks like a secret)' : value;
}

export type VariableSource = 'stage env' | 'pipeline env' | 'environment';

export interface VariableInfo {
  name: string;
  /** Resolved value (after `${VAR}` in env values); undefined when not defined anywhere. */
  value?: string;
  source?: VariableSource;
}

/** The stage whose `- …` item holds the offset. */
export function stageAt(pipeline: Pipeline, offset: number): Stage | undefined {
  return pipeline.stages.find((s) => s.span.end > s.span.start && offset >= s.span.start && offset <= s.span.end);
}

/** Every variable visible at a place: the stage's env, then the pipeline's, then the process's. */
export function variablesAt(pipeline: Pipeline, stage: Stage | undefined, processEnv: Readonly<Record<string, string | undefined>>): VariableInfo[] {
  const merged = mergeEnv(processEnv, pipeline.env, stage?.env ?? {});
  const source = (name: string): VariableSource =>
    stage && Object.hasOwn(stage.env, name) ? 'stage env' : Object.hasOwn(pipeline.env, name) ? 'pipeline env' : 'environment';
  return Object.keys(merged).map((name) => ({ name, value: merged[name]!, source: source(name) }));
}

export function variableInfo(
  pipeline: Pipeline,
  stage: Stage | undefined,
  processEnv: Readonly<Record<string, string | undefined>>,
  name: string,
): VariableInfo {
  return variablesAt(pipeline, stage, processEnv).find((v) => v.name === name) ?? { name };
}
