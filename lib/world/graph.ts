import { NameMaker } from './names.ts';
import { Rng } from './random.ts';
import type { Entity, EntityKind, Fact, RelationId } from './schema.ts';

/** Share of entities per kind (countries get a floor so every world has a few). */
const KIND_SHARES: Record<EntityKind, number> = {
  person: 0.45,
  city: 0.16,
  country: 0.02,
  org: 0.17,
  work: 0.2,
};
const ORG_KINDS = ['Bank', 'University', 'Company', 'Museum', 'Club'];
const WORK_KINDS = ['novel', 'film', 'song', 'painting'];
export const OCCUPATIONS = [
  'painter',
  'singer',
  'writer',
  'poet',
  'farmer',
  'doctor',
  'teacher',
  'pilot',
  'chef',
  'lawyer',
  'architect',
  'sailor',
];

export interface GraphParts {
  entities: Entity[];
  facts: Fact[];
}

/** Builds entities of every kind with unique names and Zipf-like popularity per kind. */
function makeEntities(seed: number, total: number): { entities: Entity[]; languages: string[] } {
  const rng = Rng.derive(seed, 'names');
  const names = new NameMaker(rng);
  const count = (kind: EntityKind): number =>
    Math.max(kind === 'country' ? 4 : 6, Math.round(total * KIND_SHARES[kind]));
  const people = count('person');
  const firsts = names.pool(Math.max(24, Math.round(Math.sqrt(people) * 2.5)), () => 2);
  const lasts = names.pool(
    Math.max(30, Math.round(people / 2.5)),
    () => 2 + (rng.chance(0.3) ? 1 : 0),
  );
  const languages = names.pool(Math.max(3, Math.ceil(count('country') / 2)), () => 2);
  const entities: Entity[] = [];
  const add = (kind: EntityKind, name: string, subkind?: string): void => {
    entities.push({
      id: entities.length,
      kind,
      name,
      aliases: [],
      popularity: 0,
      ...(subkind ? { subkind } : {}),
    });
  };
  for (let i = 0; i < people;) {
    const name = `${rng.pick(firsts)} ${rng.pick(lasts)}`;
    if (names.claim(name)) {
      add('person', name);
      i += 1;
    }
  }
  for (const word of names.pool(count('country'), () => 2)) add('country', word);
  for (const word of names.pool(count('city'), () => 2 + (rng.chance(0.4) ? 1 : 0)))
    add('city', word);
  for (const word of names.pool(count('org'), () => 2)) {
    const kind = rng.pick(ORG_KINDS);
    add('org', `${word} ${kind}`, kind.toLowerCase());
  }
  const workWords = names.pool(count('work') + 64, () => 2);
  for (let i = 0; i < count('work');) {
    const name = rng.chance(0.5)
      ? `${rng.pick(workWords)} ${rng.pick(workWords)}`
      : rng.pick(workWords);
    if (names.claim(name)) {
      add('work', name, rng.pick(WORK_KINDS));
      i += 1;
    }
  }
  assignPopularity(entities, rng);
  const aliasWords = names.pool(Math.max(8, Math.round(people * 0.15)), () => 2);
  for (const person of entities.filter((e) => e.kind === 'person' && e.popularity > 0.45)) {
    const alias = aliasWords.pop();
    if (alias && rng.chance(0.6)) person.aliases.push(alias);
  }
  return { entities, languages };
}

/** Popularity falls off exponentially with a random rank inside each kind (0.03..1). */
function assignPopularity(entities: Entity[], rng: Rng): void {
  for (const kind of ['person', 'city', 'country', 'org', 'work'] as const) {
    const members = rng.shuffle(entities.filter((e) => e.kind === kind));
    members.forEach((entity, rank) => {
      entity.popularity = Math.exp((-3.5 * rank) / members.length);
    });
  }
}

/** Weighted sampler over a fixed list (popular entities get picked more often as objects). */
function sampler(rng: Rng, items: Entity[], power = 1): () => Entity {
  const cumulative: number[] = [];
  let total = 0;
  for (const item of items) cumulative.push((total += item.popularity ** power));
  return () => {
    const target = rng.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return items[lo] as Entity;
  };
}

/** Generates the seeded graph: entities, then every relation's facts. */
export function generateGraph(seed: number, entityCount: number): GraphParts {
  const { entities, languages } = makeEntities(seed, entityCount);
  const rng = Rng.derive(seed, 'facts');
  const facts: Fact[] = [];
  const byKind = (kind: EntityKind): Entity[] => entities.filter((e) => e.kind === kind);
  const addFact = (subject: Entity, relation: RelationId, object: Entity | string): void => {
    facts.push(
      typeof object === 'string'
        ? { subject: subject.id, relation, object }
        : { subject: subject.id, relation, objectEntity: object.id, object: object.name },
    );
  };
  const [people, cities, countries, orgs, works] = (
    ['person', 'city', 'country', 'org', 'work'] as const
  ).map(byKind) as [Entity[], Entity[], Entity[], Entity[], Entity[]];
  const pickCountry = sampler(rng, countries, 0.5);
  const cityCountry = new Map<number, Entity>();
  cities.forEach((city, i) => {
    const country = i < countries.length ? (countries[i] as Entity) : pickCountry();
    cityCountry.set(city.id, country);
    addFact(city, 'city_country', country);
    addFact(city, 'city_founded', String(1000 + rng.int(880)));
  });
  const capitals = new Map<number, Entity>();
  for (const city of cities) {
    const country = cityCountry.get(city.id) as Entity;
    const best = capitals.get(country.id);
    if (!best || city.popularity > best.popularity) capitals.set(country.id, city);
  }
  for (const country of countries) {
    addFact(country, 'capital', capitals.get(country.id) as Entity);
    addFact(country, 'language', rng.pick(languages));
  }
  addPersonFacts({ rng, people, cities, orgs, addFact });
  const birthYear = new Map(
    facts.filter((f) => f.relation === 'birth_year').map((f) => [f.subject, Number(f.object)]),
  );
  const pickPerson = sampler(rng, people);
  const pickCity = sampler(rng, cities);
  for (const org of orgs) {
    const founder = pickPerson();
    addFact(org, 'founder', founder);
    addFact(org, 'headquarters', pickCity());
    addFact(org, 'org_founded', String((birthYear.get(founder.id) ?? 1850) + 20 + rng.int(35)));
  }
  for (const work of works) {
    const creator = pickPerson();
    addFact(work, 'creator', creator);
    addFact(work, 'work_year', String((birthYear.get(creator.id) ?? 1850) + 18 + rng.int(50)));
  }
  return { entities, facts };
}

interface PersonFactOptions {
  rng: Rng;
  people: Entity[];
  cities: Entity[];
  orgs: Entity[];
  addFact: (subject: Entity, relation: RelationId, object: Entity | string) => void;
}

function addPersonFacts({ rng, people, cities, orgs, addFact }: PersonFactOptions): void {
  const pickCity = sampler(rng, cities);
  const pickOrg = sampler(rng, orgs);
  const years = new Map<number, number>();
  for (const person of people) {
    const year = 1780 + rng.int(180);
    years.set(person.id, year);
    addFact(person, 'born_in', pickCity());
    addFact(person, 'birth_year', String(year));
    addFact(person, 'occupation', rng.pick(OCCUPATIONS));
    if (rng.chance(0.7)) addFact(person, 'employer', pickOrg());
  }
  for (const child of people) {
    if (!rng.chance(0.45)) continue;
    const childYear = years.get(child.id) ?? 0;
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const father = rng.pick(people);
      const gap = childYear - (years.get(father.id) ?? 0);
      if (gap >= 20 && gap <= 45) {
        addFact(child, 'father', father);
        break;
      }
    }
  }
  const single = rng.shuffle(people.filter(() => rng.chance(0.35)));
  for (let i = 0; i + 1 < single.length; i += 2) {
    const [a, b] = [single[i] as Entity, single[i + 1] as Entity];
    if (Math.abs((years.get(a.id) ?? 0) - (years.get(b.id) ?? 0)) > 15) continue;
    addFact(a, 'spouse', b);
    addFact(b, 'spouse', a);
  }
}
