// `nvmf-sim merge`: the documents of a study's shards (or of partial runs) into the document one
// run gives. They must be of one study (same identity and tool version); a task found in two of
// them must carry the same result, since every task is deterministic.
import { canonicalJson } from './study-plan.js';
import { StudyError } from './study-error.js';
import { assembleStudy, type SeedRecord, type StudyResult } from './study-result.js';

export interface NamedStudyResult {
  /** The file it came from, for messages. */
  readonly file: string;
  readonly result: StudyResult;
}

/** Checks that a parsed JSON document is a study result; names the file otherwise. */
export function asStudyResult(value: unknown, file: string): StudyResult {
  const doc = value as Partial<StudyResult> | null;
  if (doc === null || typeof doc !== 'object' || doc.tool !== 'nvmf-sim' || doc.kind !== 'study' || doc.study === undefined || !Array.isArray(doc.points)) {
    throw new StudyError(file, 'is not the JSON output of nvmf-sim study (--json or --out)');
  }
  return doc as StudyResult;
}

/** Merges; wallSeconds is the sum of the parts'. */
export function mergeStudies(parts: readonly NamedStudyResult[]): StudyResult {
  const first = parts[0];
  if (first === undefined) throw new StudyError('', 'merge: give at least one study result file');
  const records = new Map<number, SeedRecord>();
  let wallSeconds = 0;
  for (const { file, result } of parts) {
    if (result.study.studyKey !== first.result.study.studyKey || result.version !== first.result.version) {
      throw new StudyError(
        file,
        `is from a different study than ${first.file} (${result.study.name} ${result.study.studyKey.slice(0, 12)} v${result.version}, not ${first.result.study.name} ${first.result.study.studyKey.slice(0, 12)} v${first.result.version})`,
      );
    }
    wallSeconds += result.wallSeconds;
    for (const point of result.points) {
      for (const seed of point.seeds) {
        const seen = records.get(seed.task);
        if (seen !== undefined && canonicalJson({ ...seen, result: { ...seen.result, wallSeconds: 0 } }) !== canonicalJson({ ...seed, result: { ...seed.result, wallSeconds: 0 } })) {
          throw new StudyError(file, `task ${seed.task} (point ${point.index}, seed ${seed.seed}) differs from the same task in another file`);
        }
        records.set(seed.task, seed);
      }
    }
  }
  return assembleStudy(first.result.version, first.result.study, [...records.values()], { wallSeconds });
}
