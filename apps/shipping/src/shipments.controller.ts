import { Controller, Get, Header, NotFoundException, Param, Query, StreamableFile } from '@nestjs/common';
import { OnOrders, type OrderInBatch } from '@orders/messaging';
import { Shipping } from './shipping.js';
import { ShipmentStore, type Shipment } from './store.js';

/** A shipment as the API shows it: the label as a URL of this app. */
const view = ({ labelPath: _file, shipToName, addressLine1, city, postalCode, country, ...s }: Shipment) => ({
  ...s,
  shipTo: { name: shipToName, line1: addressLine1, city, postalCode, country },
  labelUrl: `/labels/${encodeURIComponent(s.orderId)}.pdf`,
});

@Controller()
export class ShipmentsController {
  constructor(
    private readonly shipping: Shipping,
    private readonly shipments: ShipmentStore,
  ) {}

  /**
   * When orders arrive, book their shipments (the label is rendered when first downloaded). While the
   * carrier is down the orders wait (retried without limit: see CarrierClient), so shipping's lag grows
   * and it catches up later; its retries are at most 2 s apart, so the catch-up starts soon after the
   * carrier is back.
   */
  @OnOrders({ retry: { maxDelayMs: 2_000 } })
  async onOrders(orders: OrderInBatch[]): Promise<void> {
    await this.shipping.shipAll(orders.map((o) => o.order));
  }

  @Get('shipments/:orderId')
  async get(@Param('orderId') orderId: string) {
    return view(await this.find(orderId));
  }

  @Get('shipments')
  async list(@Query('limit') limit?: string) {
    const n = Math.min(Math.max(Number(limit ?? 20) || 20, 1), 500);
    return (await this.shipments.list(n)).map(view);
  }

  @Get('labels/:orderId.pdf')
  @Header('content-type', 'application/pdf')
  async label(@Param('orderId') orderId: string) {
    const pdf = await this.shipping.label(await this.find(orderId));
    return new StreamableFile(pdf, {
      type: 'application/pdf',
      disposition: `inline; filename="${encodeURIComponent(orderId)}.pdf"`,
    });
  }

  private async find(orderId: string): Promise<Shipment> {
    const shipment = await this.shipments.get(orderId);
    if (!shipment) throw new NotFoundException(`no shipment for order ${orderId} in shipping (yet)`);
    return shipment;
  }
}
