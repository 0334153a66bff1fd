// Worker-thread entry of the study pool. Node 20 does not carry the parent's module loader hooks
// into worker threads, so when the worker module is TypeScript (a development checkout running its
// sources) this plain JavaScript entry registers tsx's loader in the worker first. Compiled, the
// worker needs no loader for itself; study and scenario files get theirs from the scenario
// loader (importUserModule) as in the main thread. Then it imports the worker module named in the
// pool's workerData and hands piscina its default export.
import { workerData } from 'piscina';

const target = workerData?.module;
if (typeof target !== 'string') throw new Error('ts-worker.mjs: the pool gave no workerData.module to load');
if (target.endsWith('.ts')) (await import('tsx/esm/api')).register();
const { default: run } = await import(target);
export default run;
