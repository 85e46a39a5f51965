/**
 * AWS's commercial and GovCloud regions as of 2026, for "did you mean"
 * suggestions only: a region that looks like an AWS region is accepted even
 * when it is newer than this list.
 */
export const AWS_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7', 'ap-northeast-1',
  'ap-northeast-2', 'ap-northeast-3', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2',
  'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1', 'me-central-1', 'mx-central-1',
  'sa-east-1', 'us-gov-east-1', 'us-gov-west-1',
] as const;

/** The shape of every AWS region name: `eu-west-1`, `us-gov-west-1`, `ap-southeast-7`. */
export const AWS_REGION_SHAPE = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known AWS region a typo most likely meant (spaces, underscores, case, a dropped or doubled character), or null. */
export function closestAwsRegion(typed: string): string | null {
  const cleaned = typed.trim().toLowerCase().replace(/[\s_]+/g, '-');
  let best: { region: string; d: number } | null = null;
  for (const region of AWS_REGIONS) {
    const d = distance(cleaned, region);
    if (d <= 2 && (!best || d < best.d)) best = { region, d };
  }
  return best?.region ?? null;
}
