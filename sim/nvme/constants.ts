// NVMe command-level wire constants: opcodes, Fabrics command types, Identify CNS values, log page
// and feature identifiers, discovery codes, SGL descriptor types and asynchronous event codes.
// Values follow the NVMe Base Specification 2.0 and NVMe over Fabrics 1.1 and are named as in
// Linux include/linux/nvme.h (enum nvme_admin_opcode, nvme_opcode, nvmf_fabrics_opcode, ...), so a
// reader can grep either. PDU-level (NVMe/TCP) constants live in pdu-types.ts.

/** Admin command opcodes (Base 2.0 section 5, Figure 138; nvme.h enum nvme_admin_opcode). */
export const AdminOpcode = {
  DELETE_SQ: 0x00,
  CREATE_SQ: 0x01,
  GET_LOG_PAGE: 0x02,
  DELETE_CQ: 0x04,
  CREATE_CQ: 0x05,
  IDENTIFY: 0x06,
  ABORT: 0x08,
  SET_FEATURES: 0x09,
  GET_FEATURES: 0x0a,
  ASYNC_EVENT: 0x0c,
  NS_MGMT: 0x0d,
  FW_COMMIT: 0x10,
  FW_DOWNLOAD: 0x11,
  DEV_SELF_TEST: 0x14,
  NS_ATTACH: 0x15,
  KEEP_ALIVE: 0x18,
  DIRECTIVE_SEND: 0x19,
  DIRECTIVE_RECV: 0x1a,
  VIRTUAL_MGMT: 0x1c,
  NVME_MI_SEND: 0x1d,
  NVME_MI_RECV: 0x1e,
  DBBUF: 0x7c,
  FORMAT_NVM: 0x80,
  SECURITY_SEND: 0x81,
  SECURITY_RECV: 0x82,
  SANITIZE: 0x84,
  GET_LBA_STATUS: 0x86,
} as const;
export type AdminOpcodeValue = (typeof AdminOpcode)[keyof typeof AdminOpcode];

/** NVM command set I/O opcodes (NVM Command Set 1.0 Figure 20; nvme.h enum nvme_opcode). */
export const IoOpcode = {
  FLUSH: 0x00,
  WRITE: 0x01,
  READ: 0x02,
  WRITE_UNCOR: 0x04,
  COMPARE: 0x05,
  WRITE_ZEROES: 0x08,
  DSM: 0x09,
  VERIFY: 0x0c,
  RESV_REGISTER: 0x0d,
  RESV_REPORT: 0x0e,
  RESV_ACQUIRE: 0x11,
  RESV_RELEASE: 0x15,
} as const;
export type IoOpcodeValue = (typeof IoOpcode)[keyof typeof IoOpcode];

/** Opcode of every Fabrics command; byte 4 of the SQE then holds the fctype (nvme_fabrics_command). */
export const FABRICS_OPCODE = 0x7f;

/** Fabrics command types (Fabrics 1.1 Figure 10; nvme.h enum nvmf_capsule_command). */
export const FabricsType = {
  PROPERTY_SET: 0x00,
  CONNECT: 0x01,
  PROPERTY_GET: 0x04,
  AUTH_SEND: 0x05,
  AUTH_RECV: 0x06,
  DISCONNECT: 0x08,
} as const;
export type FabricsTypeValue = (typeof FabricsType)[keyof typeof FabricsType];

/** Identify Controller or Namespace Structure values (Base 2.0 Figure 273; nvme.h NVME_ID_CNS_*). */
export const IdentifyCns = {
  NAMESPACE: 0x00,
  CONTROLLER: 0x01,
  ACTIVE_NS_LIST: 0x02,
  NS_DESC_LIST: 0x03,
  /** I/O command set specific Identify Namespace (NVME_ID_CNS_CS_NS). */
  CS_NS: 0x05,
  /** I/O command set specific Identify Controller (NVME_ID_CNS_CS_CTRL); Linux asks for it with CSI 0. */
  CS_CTRL: 0x06,
  /** I/O command set independent Identify Namespace (NVME_ID_CNS_NS_CS_INDEP). */
  NS_CS_INDEP: 0x08,
  NS_PRESENT_LIST: 0x10,
  NS_PRESENT: 0x11,
  CTRL_NS_LIST: 0x12,
  CTRL_LIST: 0x13,
  SCNDRY_CTRL_LIST: 0x15,
  NS_GRANULARITY: 0x16,
  UUID_LIST: 0x17,
} as const;

/** Identify data is always one 4 KiB page (NVME_IDENTIFY_DATA_SIZE). */
export const IDENTIFY_DATA_LENGTH = 4096;

/** Command Set Identifier (Base 2.0 Figure 272; nvme.h enum nvme_csi). */
export const Csi = { NVM: 0x00, KV: 0x01, ZNS: 0x02 } as const;

/** Log page identifiers (Base 2.0 Figure 202; nvme.h NVME_LOG_*). */
export const LogPageId = {
  SUPPORTED: 0x00,
  ERROR: 0x01,
  SMART: 0x02,
  FW_SLOT: 0x03,
  CHANGED_NS: 0x04,
  CMD_EFFECTS: 0x05,
  DEVICE_SELF_TEST: 0x06,
  TELEMETRY_HOST: 0x07,
  TELEMETRY_CTRL: 0x08,
  ENDURANCE_GROUP: 0x09,
  ANA: 0x0c,
  FEATURES: 0x12,
  /** Discovery log page, only on discovery controllers (Fabrics 1.1 section 5.3). */
  DISCOVERY: 0x70,
  RESERVATION: 0x80,
  SANITIZE: 0x81,
} as const;

/** Feature identifiers (Base 2.0 Figure 317; nvme.h NVME_FEAT_*). */
export const FeatureId = {
  ARBITRATION: 0x01,
  POWER_MGMT: 0x02,
  LBA_RANGE: 0x03,
  TEMP_THRESH: 0x04,
  ERR_RECOVERY: 0x05,
  VOLATILE_WC: 0x06,
  NUM_QUEUES: 0x07,
  IRQ_COALESCE: 0x08,
  IRQ_CONFIG: 0x09,
  WRITE_ATOMIC: 0x0a,
  ASYNC_EVENT_CONFIG: 0x0b,
  AUTO_PST: 0x0c,
  HOST_MEM_BUF: 0x0d,
  TIMESTAMP: 0x0e,
  KATO: 0x0f,
  HCTM: 0x10,
  NOPSC: 0x11,
  RRL: 0x12,
  PLM_CONFIG: 0x13,
  PLM_WINDOW: 0x14,
  HOST_BEHAVIOR: 0x16,
  SANITIZE: 0x17,
  SW_PROGRESS: 0x80,
  HOST_ID: 0x81,
  RESV_MASK: 0x82,
  RESV_PERSIST: 0x83,
  WRITE_PROTECT: 0x84,
} as const;

/** Get Features "Select" field, CDW10 bits 10:8 (Base 2.0 Figure 192; nvme.h NVME_FEAT_SEL_*). */
export const FeatureSelect = { CURRENT: 0, DEFAULT: 1, SAVED: 2, SUPPORTED: 3 } as const;

/** NQN of every discovery subsystem (Fabrics 1.1 section 4.3; nvme.h NVME_DISC_SUBSYS_NAME). */
export const DISCOVERY_NQN = 'nqn.2014-08.org.nvmexpress.discovery';
/** Prefix of UUID-based NQNs, as in nvme-cli's default host NQN (Base 2.0 section 4.5). */
export const UUID_NQN_PREFIX = 'nqn.2014-08.org.nvmexpress:uuid:';
/** Controller ID in Connect data asking for a dynamic controller (nvme.h NVME_CNTLID_DYNAMIC). */
export const CNTLID_DYNAMIC = 0xffff;
/** Admin queue depth the Linux host requests and nvmet reports as ASQSZ (nvme.h NVME_AQ_DEPTH). */
export const AQ_DEPTH = 32;

/** Discovery log entry TRTYPE (Fabrics 1.1 Figure 38; nvme.h NVMF_TRTYPE_*). */
export const TransportType = { RDMA: 1, FC: 2, TCP: 3, LOOP: 0xfe } as const;
/** Discovery log entry ADRFAM (nvme.h NVMF_ADDR_FAMILY_*). */
export const AddressFamily = { PCI: 0, IPV4: 1, IPV6: 2, IB: 3, FC: 4, LOOP: 0xfe } as const;
/** Discovery log entry SUBTYPE (nvme.h NVME_NQN_*). */
export const SubsystemType = { REFERRAL: 1, NVME: 2, CURRENT_DISCOVERY: 3 } as const;
/** Discovery log entry TREQ bits 1:0 (secure channel) and bit 2 (nvme.h NVMF_TREQ_*). */
export const Treq = { NOT_SPECIFIED: 0, REQUIRED: 1, NOT_REQUIRED: 2, DISABLE_SQFLOW: 1 << 2 } as const;
/** TCP TSAS security type, byte 0 of TSAS (nvme.h NVMF_TCP_SECTYPE_*). */
export const TcpSecType = { NONE: 0, TLS12: 1, TLS13: 2 } as const;
/** Discovery log entry EFLAGS (nvme.h NVMF_DISC_EFLAGS_*). */
export const DiscoveryEflags = { DUPRETINFO: 1 << 0, EPCSD: 1 << 1 } as const;

/**
 * SGL descriptor identifier, byte 15 of the 16-byte descriptor: type in bits 7:4, sub type in
 * bits 3:0 (Base 2.0 section 4.1.8.1; nvme.h NVME_SGL_FMT_* and NVME_*_DESC).
 */
export const SglDescType = { DATA_DESC: 0x0, SEG_DESC: 0x2, LAST_SEG_DESC: 0x3, KEYED_DATA_DESC: 0x4, TRANSPORT_SGL_DATA_DESC: 0x5 } as const;
export const SglSubType = { ADDRESS: 0x0, OFFSET: 0x1, TRANSPORT_A: 0xa, INVALIDATE: 0xf } as const;
/**
 * In-capsule data: Data Block descriptor with the Offset sub type, address = offset into the
 * in-capsule data (ICDOFF, always 0 on TCP). Linux host/tcp.c nvme_tcp_set_sg_inline.
 */
export const SGL_IN_CAPSULE = (SglDescType.DATA_DESC << 4) | SglSubType.OFFSET; // 0x01
/**
 * Data moved by the transport (R2T/H2CData for writes, C2HData for reads), also used with length 0
 * for commands without data. Linux host/tcp.c nvme_tcp_set_sg_host_data / nvme_tcp_set_sg_null.
 */
export const SGL_TRANSPORT = (SglDescType.TRANSPORT_SGL_DATA_DESC << 4) | SglSubType.TRANSPORT_A; // 0x5a

/** Asynchronous event type, bits 2:0 of the AER completion dword 0 (Base 2.0 Figure 150; nvme.h NVME_AER_*). */
export const AsyncEventType = { ERROR: 0, SMART: 1, NOTICE: 2, IO_CMD_SET: 6, VENDOR: 7 } as const;
/** Asynchronous event information for NOTICE events, bits 15:8 (nvme.h NVME_AER_NOTICE_*). */
export const AsyncEventNotice = {
  /** Namespace attribute changed: the host then reads the Changed Namespace List (LID 0x04). */
  NS_CHANGED: 0x00,
  FW_ACT_STARTING: 0x01,
  TELEMETRY: 0x02,
  ANA_CHANGE: 0x03,
  /** Discovery log page changed (only on discovery controllers). */
  DISC_CHANGED: 0xf0,
} as const;

/** Controller type in Identify Controller CNTRLTYPE (nvme.h enum NVME_CTRL_IO/DISC/ADMIN). */
export const ControllerType = { UNREPORTED: 0, IO: 1, DISCOVERY: 2, ADMIN: 3 } as const;

/** I/O submission and completion queue entry sizes as log2 (SQES 6 = 64 bytes, CQES 4 = 16 bytes). */
export const NVM_IOSQES = 6;
export const NVM_IOCQES = 4;
