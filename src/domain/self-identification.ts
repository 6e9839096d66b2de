/**
 * The categories of the voluntary self-identification form: the sex and race/ethnicity
 * categories NYC Local Law 144 bias audits use (the EEO-1 categories, 6 RCNY § 5-301), each with
 * "decline to answer". Stored in `SelfIdentification` (see prisma/schema.prisma), apart from the
 * interview: never shown to the hiring team or sent to a model; the adverse-impact report reads
 * them in aggregate only.
 */
import { z } from 'zod';

export const SEX_CATEGORIES = [
  { value: 'male', label: 'Male' },
  { value: 'female', label: 'Female' },
  { value: 'declined', label: 'I decline to answer' },
] as const;

export const RACE_ETHNICITY_CATEGORIES = [
  { value: 'hispanic_or_latino', label: 'Hispanic or Latino' },
  { value: 'white', label: 'White (not Hispanic or Latino)' },
  { value: 'black_or_african_american', label: 'Black or African American (not Hispanic or Latino)' },
  {
    value: 'native_hawaiian_or_pacific_islander',
    label: 'Native Hawaiian or Other Pacific Islander (not Hispanic or Latino)',
  },
  { value: 'asian', label: 'Asian (not Hispanic or Latino)' },
  {
    value: 'american_indian_or_alaska_native',
    label: 'American Indian or Alaska Native (not Hispanic or Latino)',
  },
  { value: 'two_or_more_races', label: 'Two or More Races (not Hispanic or Latino)' },
  { value: 'declined', label: 'I decline to answer' },
] as const;

export type TSexCategory = (typeof SEX_CATEGORIES)[number]['value'];
export type TRaceEthnicityCategory = (typeof RACE_ETHNICITY_CATEGORIES)[number]['value'];

export const ZSelfIdentification = z.object({
  sex: z.enum(SEX_CATEGORIES.map((c) => c.value) as [TSexCategory, ...TSexCategory[]]),
  raceEthnicity: z.enum(
    RACE_ETHNICITY_CATEGORIES.map((c) => c.value) as [TRaceEthnicityCategory, ...TRaceEthnicityCategory[]],
  ),
});
export type TSelfIdentification = z.infer<typeof ZSelfIdentification>;
