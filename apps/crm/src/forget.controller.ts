import { BadRequestException, Controller, Delete, Param } from '@nestjs/common';
import { customerIdFromEmail } from '@orders/contracts';
import { CustomerTable, type Forgotten } from './customer-table.js';

/** Behind the apps' `/admin/*` guard (same origin, JSON, ADMIN_TOKEN from other machines). */
@Controller('admin/customers')
export class ForgetController {
  constructor(private readonly table: CustomerTable) {}

  /**
   * `DELETE /admin/customers/<customer id or e-mail>`: forget a customer (GDPR erasure): crm's row goes
   * and a tombstone is written to the `customers` table topic.
   */
  @Delete(':who')
  forget(@Param('who') who: string): Promise<Forgotten> {
    const id = who.includes('@') ? customerIdFromEmail(who) : who.trim();
    if (!id || id.length > 200)
      throw new BadRequestException(
        'give a customer id (c-…) or the e-mail address of the customer to forget',
      );
    return this.table.forget(id);
  }
}
