// The network's NICs by id. Packets name their source and destination NIC by a small integer
// (packet.ts), so whoever must turn an id back into an address (a drop record, a passive open)
// asks this registry: ids are dense and handed out in order, so the lookup is an array index.
// It holds NICs as addresses only, never the NIC objects' behaviour, so it imports none of them.

/** What an id stands for: the NIC's address and its name in records. */
export interface NicAddress {
  /** Network-wide id: the NIC's index in its registry. */
  readonly id: number;
  /** IPv4 address as a string; unique in the network. */
  readonly ip: string;
  /** "node/ifname", as drop records and errors name it. */
  readonly label: string;
}

export class NicRegistry {
  readonly #byId: NicAddress[] = [];
  readonly #byIp = new Map<string, NicAddress>();

  /** The id the next registered NIC must carry. */
  get nextId(): number {
    return this.#byId.length;
  }

  /** Registers a NIC; its id must be nextId and its IP unused. */
  add(nic: NicAddress): void {
    if (nic.id !== this.#byId.length) throw new RangeError(`${nic.label}: NIC id ${nic.id} is not the next id ${this.#byId.length}`);
    if (this.#byIp.has(nic.ip)) throw new RangeError(`IP ${nic.ip} is already used`);
    this.#byId.push(nic);
    this.#byIp.set(nic.ip, nic);
  }

  /** The NIC with this id (ids come from packets, which only registered NICs build). */
  byId(id: number): NicAddress {
    const nic = this.#byId[id];
    if (nic === undefined) throw new RangeError(`no NIC with id ${id}`);
    return nic;
  }

  /** The NIC with this IP, or undefined. */
  byIp(ip: string): NicAddress | undefined {
    return this.#byIp.get(ip);
  }
}
