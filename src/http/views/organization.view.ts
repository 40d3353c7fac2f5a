import { ApiProperty } from '@nestjs/swagger';
import { PolicyDto } from '../dto/organization.dto';

export class OrganizationCreatedView {
  @ApiProperty({ example: 'org_01J9Z3' }) orgId: string;
  @ApiProperty({ description: 'Log position (decimal)', example: '1' }) position: string;
}

export class OrganizationView {
  @ApiProperty({ example: 'org_01J9Z3' }) orgId: string;
  @ApiProperty({ example: 'Acme' }) name: string;
  @ApiProperty({ type: PolicyDto }) policy: PolicyDto;
  @ApiProperty({ description: 'Number of agents', example: 3 }) agents: number;
  @ApiProperty({ description: 'R4: the first key of the org was approved' }) firstKeyAssigned: boolean;
}
