// Whether two controllers' namespaces are the same namespace: Linux nvme_init_ns_head joins a
// namespace to the subsystem's head of that NSID only when its identifiers (UUID, NGUID, EUI-64)
// equal the head's (nvme_ns_ids_equal, "IDs don't match for shared namespace"), refuses an NSID
// whose identifiers another NSID of the subsystem already uses (nvme_subsys_check_duplicate_ids),
// and a head whose paths differ in capacity is not usable (nvme_mpath_revalidate_paths).
import type { NamespaceInfo } from './controller.js';
import { MultipathError } from './multipath-error.js';

const ID_FIELDS = ['uuid', 'nguid', 'eui64'] as const;

/** Throws MultipathError naming the first field in which `joining` differs from the head's namespace. */
export function checkSameNamespace(head: NamespaceInfo, joining: NamespaceInfo, where: string): void {
  for (const field of ID_FIELDS) {
    if (head[field] !== joining[field]) {
      throw new MultipathError(field, `IDs don't match for shared namespace ${head.nsid}: ${where} reports ${joining[field] ?? 'none'}, the other paths ${head[field] ?? 'none'}`);
    }
  }
  if (head.blockSize !== joining.blockSize) {
    throw new MultipathError('blockSize', `namespace ${head.nsid}: ${where} reports ${joining.blockSize}-byte blocks, the other paths ${head.blockSize}`);
  }
  if (head.sizeBytes !== joining.sizeBytes) {
    throw new MultipathError('sizeBytes', `namespace ${head.nsid}: ${where} reports ${joining.sizeBytes} bytes, the other paths ${head.sizeBytes}`);
  }
}

/** Throws MultipathError when `joining` carries an identifier that a head of another NSID has. */
export function checkUniqueIds(heads: readonly NamespaceInfo[], joining: NamespaceInfo): void {
  for (const head of heads) {
    if (head.nsid === joining.nsid) continue;
    for (const field of ID_FIELDS) {
      const value = joining[field];
      if (value !== undefined && value === head[field]) {
        throw new MultipathError(field, `duplicate IDs in subsystem for nsid ${joining.nsid}: ${value} is also nsid ${head.nsid}'s`);
      }
    }
  }
}
