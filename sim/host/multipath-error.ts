// Why controllers or namespaces cannot form one multipath subsystem: a path to another subsystem,
// a controller that does not share namespaces, or namespaces whose identifiers or geometry differ
// between paths (Linux nvme_init_subsystem, nvme_init_ns_head). `field` names what disagrees
// (e.g. "subnqn", "nguid"), for a one-line error that a CLI exits with status 2 on.
export class MultipathError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'MultipathError';
    this.field = field;
  }
}
