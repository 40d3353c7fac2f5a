import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const HASH = { description: 'A SHA-256 hash of the org\'s Merkle tree (RFC 9162), base64 (standard alphabet, padded)', example: 'R2l2ZSBtZSBhIHJvb3QgaGFzaCBvZiAzMiBieXRlcyE=' } as const;

/** RFC 9162 2.1.4 consistency proof: the tree of `from` events is a prefix of the tree of `to` events. */
export class ConsistencyProofView {
  @ApiProperty({ type: 'integer', minimum: 0, example: 3, description: 'The smaller tree size' }) from: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 8, description: 'The larger tree size, at most the latest checkpoint\'s' }) to: number;
  @ApiProperty({ type: [String], items: { type: 'string', ...HASH }, description: 'The proof nodes in RFC 9162 2.1.4.1 order; empty when from is 0 or equals to' }) proof: string[];
}

/** RFC 9162 2.1.3 inclusion proof: the event at `index` is in the tree of `size` events; asked by event id, with what to check it against. */
export class InclusionProofView {
  @ApiProperty({ type: 'integer', minimum: 0, example: 2, description: 'Index of the event in the org\'s tree (its events in log order, checkpoints not counted)' }) index: number;
  @ApiProperty({ type: 'integer', minimum: 1, example: 8, description: 'The tree size, at most the latest checkpoint\'s' }) size: number;
  @ApiProperty({ ...HASH, description: 'SHA-256(0x00 || leaf input) of the event (README: leaf of an event)' }) leafHash: string;
  @ApiProperty({ type: [String], items: { type: 'string', ...HASH }, description: 'The audit path in RFC 9162 2.1.3.1 order' }) proof: string[];
  @ApiPropertyOptional({ description: 'Asked by eventId: the event', example: '0193c3a0-0000-7000-8000-000000000001' }) eventId?: string;
  @ApiPropertyOptional({
    description:
      "Asked by eventId: the org's latest signed checkpoint note (as GET .../audit-log/checkpoint). When `size` is its tree size, the proof verifies against its root; for a smaller size, against the root of a checkpoint of that size you kept",
  })
  checkpoint?: string;
}

