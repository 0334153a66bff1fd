// The Kubernetes manifests for sharded studies: an Indexed Job whose shard count agrees with its
// completions and parallelism, pods that take their shard from JOB_COMPLETION_INDEX and write to
// the shared volume, and a merge Job that reads what they wrote.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

interface Container {
  readonly env?: readonly { name: string; value: string }[];
  readonly args?: readonly string[];
  readonly volumeMounts?: readonly { name: string; mountPath: string }[];
}
interface JobDoc {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly completionMode?: string;
    readonly completions?: number;
    readonly parallelism?: number;
    readonly template?: { readonly spec: { readonly containers: readonly Container[]; readonly volumes: readonly { persistentVolumeClaim?: { claimName: string } }[] } };
  };
}

function docs(file: string): JobDoc[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS() as JobDoc);
}

test('deploy: the shards Job is Indexed, one pod per shard, each writing its own file', (t) => {
  const all = docs('deploy/kubernetes/study-shards.yaml');
  const job = all.find((doc) => doc.kind === 'Job');
  const claim = all.find((doc) => doc.kind === 'PersistentVolumeClaim');
  if (job === undefined || claim === undefined) return t.fail('a Job and a PersistentVolumeClaim');
  t.is(job.spec.completionMode, 'Indexed');
  const container = job.spec.template?.spec.containers[0];
  const shards = Number(container?.env?.find((env) => env.name === 'SHARDS')?.value);
  t.is(job.spec.completions, shards);
  t.is(job.spec.parallelism, shards);
  const args = (container?.args ?? []).join(' ');
  t.regex(args, /--shard "\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)\/\$SHARDS"/);
  t.regex(args, /--out "\/results\/shard-\$JOB_COMPLETION_INDEX\.json"/);
  const study = container?.env?.find((env) => env.name === 'STUDY')?.value ?? '';
  t.true(existsSync(study), `the study ${study} ships in the repository`);
  t.deepEqual(container?.volumeMounts?.map((mount) => mount.mountPath), ['/results']);
  t.is(job.spec.template?.spec.volumes[0]?.persistentVolumeClaim?.claimName, claim.metadata.name);
});

test('deploy: the merge Job reads every shard file from the same volume', (t) => {
  const [merge] = docs('deploy/kubernetes/study-merge.yaml');
  const container = merge?.spec.template?.spec.containers[0];
  t.regex((container?.args ?? []).join(' '), /nvmf-sim merge \/results\/shard-\*\.json --out \/results\/study\.json/);
  t.is(merge?.spec.template?.spec.volumes[0]?.persistentVolumeClaim?.claimName, 'nvmf-sim-results');
});
