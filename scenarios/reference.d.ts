declare const _default: import("nvmf-sim").Scenario;
export default _default;
