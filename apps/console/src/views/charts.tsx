import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface Series {
  key: string;
  label: string;
  colour: string;
  dashed?: boolean;
}

const time = (t: number) =>
  new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** A time-series line chart (recharts), no animation so a 1 s feed reads as live. */
export function TimeChart({
  data,
  series,
  height = 160,
  unit,
  testId,
}: {
  data: Array<Record<string, number | null>>;
  series: Series[];
  height?: number;
  unit?: string;
  testId?: string;
}) {
  return (
    <div className="chart" data-testid={testId} style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            domain={['dataMin', 'dataMax']}
            tickFormatter={time}
            tick={{ fontSize: 11 }}
            minTickGap={40}
          />
          <YAxis
            tick={{ fontSize: 11 }}
            width={44}
            allowDecimals={unit === '/s'}
            unit={unit && unit !== '/s' ? unit : undefined}
          />
          <Tooltip labelFormatter={(t) => time(Number(t))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {series.map((s) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.label}
              stroke={s.colour}
              strokeDasharray={s.dashed ? '4 3' : undefined}
              dot={false}
              strokeWidth={2}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
