// Worker-thread entry of the study pool. Node 20 does not carry the parent's module loader hooks
// into worker threads, so this plain JavaScript entry registers tsx's loader in the worker (study
// and scenario files are TypeScript, and so are the sources in a development checkout), then
// imports the worker module named in the pool's workerData and hands piscina its default export.
import { workerData } from 'piscina';
import { register } from 'tsx/esm/api';

register();
const target = workerData?.module;
if (typeof target !== 'string') throw new Error('ts-worker.mjs: the pool gave no workerData.module to load');
const { default: run } = await import(target);
export default run;
