// Worker-process entry of the study pool. The worker module may be TypeScript (a development
// checkout running its sources), so this plain JavaScript entry registers tsx's loader first when
// it is; compiled, the worker needs no loader for itself (study and scenario files get theirs from
// the scenario loader, importUserModule, as in the main process). Then it imports the worker
// module the pool named in NVMF_SIM_WORKER_MODULE and hands tinypool its default export.
const target = process.env.NVMF_SIM_WORKER_MODULE;
if (typeof target !== 'string' || target === '') throw new Error('ts-worker.mjs: the pool set no NVMF_SIM_WORKER_MODULE to load');
if (target.endsWith('.ts')) (await import('tsx/esm/api')).register();
const { default: run } = await import(target);
export default run;
