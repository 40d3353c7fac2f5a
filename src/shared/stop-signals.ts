/**
 * The signals that stop a process of ztkeys gracefully. SIGHUP among them: when the terminal a
 * process runs in closes, Node's default would end it at once, mid-request, its DATA_DIR locked.
 */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
