/** The file in DATA_DIR that `npm run projections:rebuild` holds while it runs (its pid): one rebuild at a time. */
export const REBUILD_LOCK = 'rebuild.lock';
