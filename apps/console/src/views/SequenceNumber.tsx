/** A Kinesis sequence number under an offset (Kinesis words only): long, so small and wrapping. */
export function SequenceNumber({ at, title }: { at: string | null; title: string }) {
  if (!at) return null;
  return (
    <div className="muted sequence-number" data-testid="sequence-number" title={title}>
      <code>{at}</code>
    </div>
  );
}
