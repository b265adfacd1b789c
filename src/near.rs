//! Near-duplicate texts: the same story arriving through several feeds. Pure.
//!
//! Agencies sell one text to many outlets; each prepends its own headline, inserts an ad or a
//! "read also" box, or runs one paragraph more. Exact hashes (`dedup::content_hash`) miss all of
//! these, so a text is summarised as a MinHash [`Signature`] over its word shingles, whose share
//! of equal positions estimates the Jaccard similarity of the two shingle sets. An [`Index`]
//! (locality-sensitive hashing, [`BANDS`] bands of [`ROWS`] rows) finds the few stored
//! signatures worth comparing without looking at all of them, so the cost per new item does not
//! grow with the number of items kept.
//!
//! This module owns the text → signature function and the index. It does not decide what to do
//! with a match (merge, hide, link) and does not persist anything: signatures are stored by the
//! caller in their [`Signature::to_hex`] form, which is why the hash function below is frozen
//! (see `signature_is_stable`).

use rustc_hash::FxHashMap;

/// Number of MinHash values per signature. The standard error of the estimate is
/// `sqrt(J(1-J)/HASHES)`: ±0.06 at J = 0.6, enough to separate copies (J ≳ 0.7) from different
/// texts on the same topic (J ≲ 0.1) while keeping a signature at 128 bytes.
pub const HASHES: usize = 64;
/// LSH bands × rows = HASHES. Two signatures become candidates when all ROWS values of at least
/// one band agree, which happens with probability `1 - (1 - J^ROWS)^BANDS`: 0.64 at J = 0.5,
/// 0.89 at 0.6, 0.99 at 0.7, > 0.999 at 0.8. The curve is steepest at `(1/BANDS)^(1/ROWS)` = 0.5,
/// just below [`THRESHOLD`], so true copies are almost never missed and pairs below the threshold
/// rarely cost a comparison.
pub const BANDS: usize = 16;
/// Rows (MinHash values) per band; 4 × 16 bits are packed into one `u64` before hashing.
pub const ROWS: usize = 4;
/// Estimated Jaccard similarity at or above which two texts are the same story.
///
/// Measured on the test texts (English and German agency articles of 230–260 words): copies
/// with a new headline, an ad in the middle, one paragraph more, 7 words changed, or case,
/// quotes and whitespace changed estimate 0.81–1.0; headline, ad and paragraph all together
/// 0.70–0.72 (exact Jaccard 0.72–0.74). Different articles on the same event, with the same
/// names, numbers and places, estimate 0.00–0.02 (exact 0.01–0.06). A copy's similarity falls
/// roughly by the share of text added, so 0.6 still takes a copy grown by a third, while the
/// estimate's noise (±0.06) cannot lift a same-topic article anywhere near it. Going lower buys
/// little: at 0.5 the band step already misses a third of the pairs (see [`BANDS`]).
pub const THRESHOLD: f64 = 0.6;
/// Words per shingle. Measured exact Jaccard of the same-event article pairs in the tests, by
/// shingle size: 1 word 0.20–0.32, 2 words 0.04–0.12, 3 words 0.01–0.06, 4 words 0.005–0.035,
/// 5 words 0.002–0.02, while the copies stay at 0.72–1.0 for every size (an inserted block
/// costs only SHINGLE-1 shingles at its edges). Three is where common phrases ("der Deutschen
/// Bahn", "said on Monday") stop making topics look alike; each scattered word change costs
/// SHINGLE shingles, so larger shingles only make re-wordings look less alike.
pub const SHINGLE: usize = 3;
/// Fewer words than this and [`Signature::of_text`] declines: teasers and title-only items are
/// mostly boilerplate ("Read more on …"), one changed word alters 3 of ~18 shingles, and such
/// items are better matched by title and link (`dedup`).
pub const MIN_WORDS: usize = 20;

const _: () = assert!(BANDS * ROWS == HASHES, "bands × rows must cover the signature");
const _: () = assert!(ROWS * 16 <= 64, "a band's rows are packed into one u64");

/// A text's MinHash signature: per hash function, the low 16 bits of the minimum over the
/// text's shingles. Truncating after taking the minimum keeps the estimator unbiased up to
/// accidental 16-bit collisions (2^-16 per position) and quarters the storage: 128 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature(pub [u16; HASHES]);

// The hash. Frozen: stored signatures are compared with new ones, so any change to the
// tokenizer, these constants or the mixing below silently breaks deduplication against
// everything already stored. `signature_is_stable` pins it.

/// FNV-1a over the Unicode scalar values of a lowercased word.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Seed for the per-hash-function constants and the band keys (the fractional part of the
/// golden ratio, as in splitmix64).
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// MurmurHash3's 64-bit finalizer: a bijection where every input bit affects every output bit.
const fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The HASHES hash functions `h_i(s) = A[i]·s + B[i] (mod 2^64)`, odd A so each is a
/// permutation. Applied to an already mixed shingle hash, one multiply-add per function is
/// enough (checked by `estimate_is_unbiased`), and it is the inner loop: HASHES × shingles.
/// Derived at compile time from GOLDEN by splitmix64, so they are data, not 128 literals.
const PERMUTATIONS: ([u64; HASHES], [u64; HASHES]) = {
    let (mut a, mut b) = ([0u64; HASHES], [0u64; HASHES]);
    let mut state = 0u64;
    let mut i = 0;
    while i < HASHES {
        state = state.wrapping_add(GOLDEN);
        a[i] = fmix(state) | 1;
        state = state.wrapping_add(GOLDEN);
        b[i] = fmix(state);
        i += 1;
    }
    (a, b)
};

/// Calls `each` with the hash of every shingle of `text` (duplicates included; the minimum does
/// not care) and returns the number of words.
///
/// Words are maximal runs of `char::is_alphanumeric`, lowercased with `char::to_lowercase`, so
/// punctuation, quotes, whitespace and case never matter. (Those come from Rust's Unicode tables;
/// a newer Unicode version changes them only for newly assigned characters. Decomposed accents,
/// "u" + U+0308, split a word: feeds send composed text in practice.)
fn shingles(text: &str, mut each: impl FnMut(u64)) -> usize {
    let mut window = [0u64; SHINGLE];
    let mut words = 0usize;
    let mut word = FNV_OFFSET;
    let mut in_word = false;
    let mut end_word = |fnv: u64| {
        window.copy_within(1.., 0);
        window[SHINGLE - 1] = fmix(fnv);
        words += 1;
        if words >= SHINGLE {
            // order-sensitive: "a b c" and "c b a" differ
            each(window.iter().fold(0, |s, &w| fmix(s ^ w)));
        }
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            word = (word ^ u64::from(c.to_ascii_lowercase())).wrapping_mul(FNV_PRIME);
            in_word = true;
        } else if !c.is_ascii() && c.is_alphanumeric() {
            for l in c.to_lowercase() {
                word = (word ^ u64::from(l)).wrapping_mul(FNV_PRIME);
            }
            in_word = true;
        } else if in_word {
            end_word(word);
            word = FNV_OFFSET;
            in_word = false;
        }
    }
    if in_word {
        end_word(word);
    }
    words
}

/// Lanes of [`minhash`]: hash functions evaluated together in one pass over the shingles.
const LANES: usize = 8;
const _: () = assert!(HASHES.is_multiple_of(LANES));

/// The signature of a set of shingle hashes: per hash function the minimum, truncated to its
/// low 16 bits (the high bits of a minimum over n values are mostly zero).
///
/// The loops run hash functions outside and shingles inside, LANES functions at a time, so the
/// running minima stay in registers: twice as fast as one pass per shingle on baseline x86-64,
/// which has no vector instructions for 64-bit multiply or minimum (`of_text` of 250 words
/// measured 21 → 11 µs). The result does not depend on the order of evaluation.
fn minhash(shingles: &[u64]) -> Signature {
    let (a, b) = &PERMUTATIONS;
    let mut out = [0u16; HASHES];
    for ((out, a), b) in out.chunks_exact_mut(LANES).zip(a.chunks_exact(LANES)).zip(b.chunks_exact(LANES)) {
        let mut min = [u64::MAX; LANES];
        for &s in shingles {
            for j in 0..LANES {
                min[j] = min[j].min(a[j].wrapping_mul(s).wrapping_add(b[j]));
            }
        }
        for (o, m) in out.iter_mut().zip(min) {
            *o = m as u16;
        }
    }
    Signature(out)
}

impl Signature {
    /// Signature of a text: lowercased words (runs of alphanumeric chars), shingles of
    /// [`SHINGLE`] words hashed with the frozen hash above, per hash function the minimum.
    /// `None` when the text has fewer than [`MIN_WORDS`] words (too short to judge).
    pub fn of_text(text: &str) -> Option<Signature> {
        let mut hashes = Vec::with_capacity(text.len() / 6);
        let words = shingles(text, |h| hashes.push(h));
        (words >= MIN_WORDS).then(|| minhash(&hashes))
    }

    /// Estimated Jaccard similarity of the two shingle sets: the share of equal positions.
    pub fn similarity(&self, other: &Signature) -> f64 {
        let equal = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        equal as f64 / HASHES as f64
    }

    /// Compact text form for storage: 256 lowercase hex chars, each value as 4 digits, most
    /// significant first.
    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(HASHES * 4);
        for v in self.0 {
            for shift in [12, 8, 4, 0] {
                s.push(char::from(DIGITS[usize::from((v >> shift) & 0xf)]));
            }
        }
        s
    }

    /// Parses [`Signature::to_hex`] output (upper-case digits accepted too). `None` on any other
    /// length or a non-hex character.
    pub fn from_hex(s: &str) -> Option<Signature> {
        if s.len() != HASHES * 4 {
            return None;
        }
        let mut out = [0u16; HASHES];
        for (v, quad) in out.iter_mut().zip(s.as_bytes().chunks_exact(4)) {
            for &c in quad {
                let d = char::from(c).to_digit(16)?;
                *v = (*v << 4) | d as u16;
            }
        }
        Some(Signature(out))
    }

    /// The BANDS band keys: each band's ROWS values packed into a `u64`, mixed with the band
    /// index so equal values in different bands are different keys. Within a band the key is a
    /// bijection of the values: two signatures share a key only if they share the whole band.
    pub fn bands(&self) -> [u64; BANDS] {
        let mut keys = [0u64; BANDS];
        for (b, (key, rows)) in keys.iter_mut().zip(self.0.chunks_exact(ROWS)).enumerate() {
            let packed = rows.iter().fold(0u64, |acc, &v| (acc << 16) | u64::from(v));
            *key = fmix(packed ^ (b as u64 + 1).wrapping_mul(GOLDEN));
        }
        keys
    }
}

/// Marks the end of a chain in `Index::next`.
const NONE: u32 = u32::MAX;

/// An LSH index from signatures to caller ids (u32, e.g. positions in a Vec).
///
/// Laid out for memory rather than as `HashMap<u64, Vec<u32>>` (a Vec per band key, nearly
/// all of length 1, would cost ~1.5 KB per signature): every inserted signature gets a slot,
/// each (slot, band) pair an entry `slot * BANDS + band`, and the entries under one band key
/// form a singly linked list: `heads` holds the newest entry per key, `next` the one before it.
/// About 550–620 bytes per signature in all (the bench measures it).
#[derive(Clone, Default)]
pub struct Index {
    /// Band key → newest entry with that key.
    heads: FxHashMap<u64, u32>,
    /// Per entry, the next older entry with the same band key, or NONE.
    next: Vec<u32>,
    /// Per slot, the caller's id and a copy of the signature to verify candidates with.
    slots: Vec<(u32, Signature)>,
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    /// An index that holds `n` signatures without reallocating.
    pub fn with_capacity(n: usize) -> Index {
        Index {
            heads: FxHashMap::with_capacity_and_hasher(n * BANDS, Default::default()),
            next: Vec::with_capacity(n * BANDS),
            slots: Vec::with_capacity(n),
        }
    }

    /// Adds `sig` under `id` (ids are the caller's; the index keeps a copy of the signature to
    /// verify candidates). An id inserted twice is kept twice and reported once, with its
    /// better similarity.
    ///
    /// # Panics
    /// Beyond `u32::MAX / BANDS` (268 million) signatures.
    pub fn insert(&mut self, id: u32, sig: &Signature) {
        let first = u32::try_from(self.next.len()).ok().filter(|f| f.checked_add(BANDS as u32).is_some());
        let first = first.expect("near::Index holds at most u32::MAX / BANDS signatures");
        for (entry, key) in (first..).zip(sig.bands()) {
            let older = self.heads.insert(key, entry).unwrap_or(NONE);
            self.next.push(older);
        }
        self.slots.push((id, sig.clone()));
    }

    /// The ids whose signature shares at least one band with `sig` AND has similarity >=
    /// THRESHOLD, best first (ties by id).
    pub fn matches(&self, sig: &Signature) -> Vec<(u32, f64)> {
        let mut candidates: Vec<u32> = Vec::new();
        for key in sig.bands() {
            let mut entry = self.heads.get(&key).copied().unwrap_or(NONE);
            while entry != NONE {
                candidates.push(entry / BANDS as u32);
                entry = self.next[entry as usize];
            }
        }
        if candidates.is_empty() {
            return Vec::new();
        }
        // a copy shares most of its bands: each slot appears up to BANDS times
        candidates.sort_unstable();
        candidates.dedup();
        let mut found: Vec<(u32, f64)> = candidates
            .into_iter()
            .filter_map(|slot| {
                let (id, stored) = &self.slots[slot as usize];
                let sim = sig.similarity(stored);
                (sim >= THRESHOLD).then_some((*id, sim))
            })
            .collect();
        found.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        found.dedup_by_key(|m| m.0);
        found.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        found
    }

    /// Number of signatures inserted.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustc_hash::FxHashSet;

    // An agency text, a second article on the same event with the same names, and the pieces
    // outlets add to the first: a headline, an ad, one paragraph more. Fictional people.
    const EN_STORY: &str = "ROTTERDAM (Reuters) - Dock workers at the port of Rotterdam, Europe's largest, walked off the job on Tuesday in a dispute over automation and pay, halting container traffic at several terminals and leaving dozens of ships waiting at anchor in the North Sea.

The FNV union said about 2,500 members had joined the 48-hour strike after talks with the employers' association broke down late on Monday. The union is demanding a wage increase of 7.5 percent and guarantees that no jobs will be lost when the remaining manual cranes are replaced by remote-controlled systems over the next five years.

\"Our members are not against new technology, but they refuse to pay for it with their jobs,\" union spokesman Jeroen van Dijk told reporters outside the ECT Delta terminal. \"The companies made record profits last year and they can afford a fair deal.\"

The Port of Rotterdam Authority said it was too early to estimate the cost of the stoppage, but shipping analysts put the value of goods handled at the port on an average day at more than 400 million euros. Maersk and Hapag-Lloyd said they were diverting some vessels to Antwerp and Hamburg.

The employers' association VWH called the strike irresponsible and said its offer of a 5 percent raise and a job guarantee until 2028 remained on the table. Economy Minister Karin Visser urged both sides to return to the negotiating table as soon as possible.

A previous strike in 2022 lasted three days and caused delays across European supply chains for several weeks.";

    const EN_OTHER: &str = "Ships queued off the Dutch coast on Wednesday as a strike at the port of Rotterdam entered its second day, with the FNV union and the employers' association VWH still trading accusations over cranes, wages and the future of dock work.

At the ECT Delta terminal, picket lines formed before dawn. Jeroen van Dijk, who speaks for the FNV, said the walkout would continue until the employers put a job guarantee on paper. He accused the VWH of using automation as a pretext to cut the workforce by a third.

The VWH countered that remote-controlled cranes would make the docks safer and that no worker had been dismissed when earlier terminals were automated. Its chairman said the union's wage demand of 7.5 percent would make Rotterdam more expensive than Antwerp and Hamburg, where Maersk and Hapag-Lloyd have already sent some vessels.

Economy Minister Karin Visser met representatives of both sides in The Hague but did not offer to mediate. The Port of Rotterdam Authority said about 60 ships were waiting at anchor and that perishable cargo was being given priority at the terminals still working.

Logistics companies in Germany and Belgium reported rising demand for rail and barge capacity as shippers looked for ways around the Dutch bottleneck. Analysts warned that a strike lasting longer than a week could disrupt supply chains well into next month.";

    const EN_HEADLINE: &str = "Rotterdam port strike: dock workers walk out over robots and pay";
    const EN_AD: &str = "ADVERTISEMENT
Save 40% on your first year of Premium. Unlimited access to all articles, the daily briefing newsletter and our award-winning podcast. Cancel anytime. Subscribe now at news.example.com/premium";
    const EN_MORE: &str = "The walkout comes as European ports are still struggling with congestion after a winter of storms and diverted traffic from the Red Sea. Antwerp said it had spare capacity for a few days but warned that its own terminals would fill quickly if the Rotterdam strike lasted into next week.";

    const DE_STORY: &str = "BERLIN (dpa) - Die Lokführergewerkschaft GDL hat bundesweit zu einem neuen Streik im Personenverkehr der Deutschen Bahn aufgerufen. Der Ausstand soll in der Nacht zu Mittwoch um 2 Uhr beginnen und bis Freitagabend 18 Uhr dauern, wie die Gewerkschaft am Montag in Frankfurt mitteilte. Im Güterverkehr sollen die Beschäftigten bereits ab Dienstagabend die Arbeit niederlegen.

GDL-Chef Klaus Wendler warf dem Konzern vor, die Verhandlungen über eine Verkürzung der Wochenarbeitszeit von 38 auf 35 Stunden bei vollem Lohnausgleich seit Wochen zu verschleppen. „Die Geduld unserer Mitglieder ist am Ende“, sagte Wendler. Ein neues Angebot der Bahn sei nicht verhandlungsfähig.

Bahn-Personalvorstand Martin Seidel nannte den Streik unverhältnismäßig und eine Zumutung für Millionen Fahrgäste. Die Bahn werde einen Notfahrplan anbieten, im Fernverkehr könne aber nur etwa jeder fünfte Zug fahren. Fahrgäste, die ihre Reise wegen des Streiks verschieben wollen, können ihr Ticket flexibel später nutzen oder sich den Fahrpreis erstatten lassen.

Es ist bereits der vierte Arbeitskampf in dem seit November laufenden Tarifkonflikt. Die Bahn hatte zuletzt eine Lohnerhöhung von 11 Prozent in zwei Stufen sowie eine Inflationsausgleichsprämie angeboten, die GDL lehnte das Angebot ab. Wirtschaftsverbände forderten die Tarifparteien auf, sich auf eine Schlichtung zu einigen.

Auch die S-Bahnen in Berlin, München und Hamburg sind von dem Streik betroffen. Die Bahn rät Reisenden, sich vor Fahrtantritt in der App oder auf bahn.de über ihre Verbindung zu informieren.";

    const DE_OTHER: &str = "Millionen Pendler müssen sich erneut auf Ausfälle einstellen: Der Streik der GDL bei der Deutschen Bahn trifft ab Mittwoch den Fern-, Regional- und S-Bahn-Verkehr. In Berlin, München und Hamburg wollen die Verkehrsbetriebe zusätzliche Busse einsetzen, doch die Kapazität reicht nach eigenen Angaben bei weitem nicht aus.

Klaus Wendler, der Vorsitzende der Gewerkschaft, verteidigte den Ausstand am Dienstag in einem Interview. Die 35-Stunden-Woche sei für Schichtarbeiter keine Luxusforderung, sondern eine Frage der Gesundheit. Die Bahn habe genug Zeit gehabt, ein ernsthaftes Angebot vorzulegen.

Martin Seidel, im Vorstand der Bahn für Personal zuständig, hielt dagegen, eine kürzere Wochenarbeitszeit sei angesichts des Fachkräftemangels nicht umsetzbar. Schon heute fehlten tausende Lokführer. Der Konzern prüfe rechtliche Schritte gegen den Streik, sagte Seidel in Frankfurt.

Fahrgastverbände kritisierten beide Seiten. Wer täglich zur Arbeit pendle, habe für den Machtkampf kein Verständnis mehr, erklärte Pro Bahn. Der Verband forderte eine gesetzliche Regelung für Streiks in der kritischen Infrastruktur, wie sie auch einige Politiker der Union ins Gespräch gebracht haben.

Ökonomen schätzen den wirtschaftlichen Schaden eines mehrtägigen Bahnstreiks auf bis zu 100 Millionen Euro pro Tag. Besonders betroffen seien Industriebetriebe, die auf pünktliche Lieferungen über die Schiene angewiesen sind.";

    const DE_HEADLINE: &str = "Bahnstreik ab Mittwoch: GDL legt Fern- und Regionalverkehr lahm";
    const DE_AD: &str = "Anzeige
Jetzt 3 Monate für nur 1 Euro testen: alle Artikel, das E-Paper und unser Newsletter am Morgen. Jederzeit kündbar. Mehr erfahren auf zeitung.example.de/abo";
    const DE_MORE: &str = "Der Fahrgastverband Pro Bahn kritisierte die kurze Vorwarnzeit. Pendler hätten kaum Gelegenheit, sich auf den Ausfall einzustellen, sagte ein Sprecher. Viele Arbeitgeber in den Ballungsräumen boten ihren Beschäftigten an, in den Streiktagen von zu Hause aus zu arbeiten.";

    /// The exact Jaccard similarity of the two shingle sets, printed beside the estimate.
    fn exact_jaccard(a: &str, b: &str) -> f64 {
        let set = |t: &str| {
            let mut s = FxHashSet::default();
            shingles(t, |h| {
                s.insert(h);
            });
            s
        };
        let (a, b) = (set(a), set(b));
        a.intersection(&b).count() as f64 / a.union(&b).count() as f64
    }

    /// Asserts, through the index as a caller uses it, whether `copy` is found as the same
    /// story as `original`. Prints both similarities (`cargo test near -- --nocapture`).
    fn check(what: &str, original: &str, copy: &str, same: bool) {
        let (a, b) = (Signature::of_text(original).unwrap(), Signature::of_text(copy).unwrap());
        let sim = a.similarity(&b);
        eprintln!("{what:<40} estimate {sim:.3}  exact {:.3}", exact_jaccard(original, copy));
        let mut index = Index::new();
        index.insert(7, &a);
        let expected = if same { vec![(7, sim)] } else { vec![] };
        assert_eq!(index.matches(&b), expected, "{what}: similarity {sim}");
    }

    /// `text` with `insert` as a paragraph of its own after the first half of its paragraphs.
    fn in_the_middle(text: &str, insert: &str) -> String {
        let paras: Vec<&str> = text.split("\n\n").collect();
        let (head, tail) = paras.split_at(paras.len() / 2);
        [head, &[insert], tail].concat().join("\n\n")
    }

    /// What a careless republisher does: paragraphs run together, quotes and dashes swapped,
    /// commas dropped, extra spaces.
    fn reformatted(text: &str) -> String {
        text.replace("\n\n", "  \n")
            .replace(['"', '„', '“'], "'")
            .replace(" - ", " — ")
            .replace(',', "")
            .replace(". ", ".   ")
    }

    #[test]
    fn a_new_headline_is_the_same_story() {
        check("en: headline prepended", EN_STORY, &format!("{EN_HEADLINE}\n\n{EN_STORY}"), true);
        check("de: headline prepended", DE_STORY, &format!("{DE_HEADLINE}\n\n{DE_STORY}"), true);
    }

    #[test]
    fn an_ad_in_the_middle_is_the_same_story() {
        check("en: ad in the middle", EN_STORY, &in_the_middle(EN_STORY, EN_AD), true);
        check("de: ad in the middle", DE_STORY, &in_the_middle(DE_STORY, DE_AD), true);
    }

    #[test]
    fn one_paragraph_more_is_the_same_story() {
        check("en: one paragraph more", EN_STORY, &format!("{EN_STORY}\n\n{EN_MORE}"), true);
        check("de: one paragraph more", DE_STORY, &format!("{DE_STORY}\n\n{DE_MORE}"), true);
        // and the other way round: the longer version stored first
        check("de: one paragraph less", &format!("{DE_STORY}\n\n{DE_MORE}"), DE_STORY, true);
    }

    #[test]
    fn whitespace_punctuation_and_case_do_not_count() {
        check("en: upper case, reformatted", EN_STORY, &reformatted(&EN_STORY.to_uppercase()), true);
        check("de: lower case, reformatted", DE_STORY, &reformatted(&DE_STORY.to_lowercase()), true);
        // upper-casing turns ß into SS: the three words with ß differ, the story still matches
        check("de: upper case (ß → SS)", DE_STORY, &DE_STORY.to_uppercase(), true);
    }

    #[test]
    fn a_few_words_changed_throughout_is_the_same_story() {
        // each changed word costs SHINGLE shingles: 7 edits each in ~250 words
        let en = EN_STORY.replace(" said ", " stated ").replace("percent", "per cent").replace("Reuters", "AP");
        check("en: 7 words changed", EN_STORY, &en, true);
        let de = DE_STORY.replace("Bahn ", "DB ").replace("sagte", "erklärte").replace("dpa", "AFP");
        check("de: 7 words changed", DE_STORY, &de, true);
    }

    #[test]
    fn headline_ad_and_paragraph_together_are_the_same_story() {
        let en = format!("{EN_HEADLINE}\n\n{}\n\n{EN_MORE}", in_the_middle(EN_STORY, EN_AD));
        check("en: headline + ad + paragraph", EN_STORY, &en, true);
        let de = format!("{DE_HEADLINE}\n\n{}\n\n{DE_MORE}", in_the_middle(DE_STORY, DE_AD));
        check("de: headline + ad + paragraph", DE_STORY, &de, true);
    }

    #[test]
    fn another_article_on_the_same_event_is_not() {
        check("en: same event, other article", EN_STORY, EN_OTHER, false);
        check("de: same event, other article", DE_STORY, DE_OTHER, false);
        let en_copy = format!("{EN_HEADLINE}\n\n{EN_OTHER}");
        check("en: other article, same headline", &format!("{EN_HEADLINE}\n\n{EN_STORY}"), &en_copy, false);
        check("en vs de", EN_STORY, DE_STORY, false);
    }

    #[test]
    fn words_ignore_case_punctuation_and_whitespace() {
        let hashes = |t: &str| {
            let mut v = Vec::new();
            shingles(t, |h| v.push(h));
            v
        };
        let same = |a: &str, b: &str| assert_eq!(hashes(a), hashes(b), "{a:?} vs {b:?}");
        same("Über die Brücke, sagte er.", "über  die\nbrücke SAGTE er");
        same("„Die Geduld ist am Ende“", "\"die geduld ist am ende\"");
        same("state-of-the-art port", "state of the art port");
        same("ÉTÉ À PARIS aujourd'hui", "été à paris aujourd’hui");
        assert_ne!(hashes("the dog bit the man"), hashes("the man bit the dog"));
        assert_eq!(shingles("one, two; three", |_| ()), 3);
        assert_eq!(shingles("", |_| ()), 0);
    }

    #[test]
    fn short_texts_have_no_signature() {
        assert_eq!(Signature::of_text(""), None);
        assert_eq!(Signature::of_text(EN_HEADLINE), None);
        let words: Vec<String> = (0..MIN_WORDS).map(|i| format!("w{i}")).collect();
        assert_eq!(Signature::of_text(&words[1..].join(" ")), None);
        assert!(Signature::of_text(&words.join(" ")).is_some());
        // punctuation is not a word
        assert_eq!(Signature::of_text(&format!("{} — … !!! ???", words[1..].join(" "))), None);
    }

    #[test]
    fn hex_round_trips_and_rejects_bad_input() {
        let sig = Signature::of_text(DE_STORY).unwrap();
        let hex = sig.to_hex();
        assert_eq!(hex.len(), 256);
        assert!(hex.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert_eq!(Signature::from_hex(&hex), Some(sig.clone()));
        assert_eq!(Signature::from_hex(&hex.to_uppercase()), Some(sig));
        let edge = Signature(std::array::from_fn(|i| [0, 1, 0xabcd, 0xffff][i % 4]));
        assert_eq!(Signature::from_hex(&edge.to_hex()), Some(edge));
        assert_eq!(Signature::from_hex(""), None);
        assert_eq!(Signature::from_hex(&hex[..255]), None);
        assert_eq!(Signature::from_hex(&format!("{hex}0")), None);
        assert_eq!(Signature::from_hex(&format!("g{}", &hex[1..])), None);
        assert_eq!(Signature::from_hex(&format!("+{}", &hex[1..])), None);
        assert_eq!(Signature::from_hex(&format!("ä{}", &hex[2..])), None);
    }

    // Stored signatures are only comparable with new ones while this value holds. If it fails,
    // the hash changed: either revert, or version the stored signatures and recompute them.
    #[test]
    fn signature_is_stable() {
        let text = "Die Deutsche Bahn und die Gewerkschaft GDL haben sich am Freitag in Berlin \
                    auf einen neuen Tarifvertrag geeinigt, teilten beide Seiten mit.";
        assert_eq!(Signature::of_text(text).unwrap().to_hex(), "f5dd606cbaafff231f18e0168931bcc1612c3c9b390a186fe262f20a0312f7f779fca4aada747ef447c1a636868832e5965987e0ba616c714ab0e3abfb3629eb955b230c8482c31a4909c7e6280316f6bacdb36c440f802c8660b2943a98b88e9643d61c4bb430e03fc2d3a4fa0c34ebb84b5209f717500bd15fe85472a7980c");
    }

    /// The estimate over sets with a known Jaccard similarity: unbiased (the mean over many
    /// sets is J) and with the spread of HASHES independent hash functions, sqrt(J(1-J)/HASHES).
    /// Correlated hash functions would show as a larger spread.
    #[test]
    fn estimate_is_unbiased() {
        for (n, shared) in [(300u64, 100u64), (300, 225), (200, 180)] {
            let j = shared as f64 / (2 * n - shared) as f64;
            let trials = 300u64;
            let estimates: Vec<f64> = (0..trials)
                .map(|t| {
                    let a: Vec<u64> = (0..n).map(|i| fmix(t << 32 | i)).collect();
                    let b: Vec<u64> = (n - shared..2 * n - shared).map(|i| fmix(t << 32 | i)).collect();
                    minhash(&a).similarity(&minhash(&b))
                })
                .collect();
            let mean = estimates.iter().sum::<f64>() / trials as f64;
            let sd = (estimates.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / trials as f64).sqrt();
            let expected_sd = (j * (1.0 - j) / HASHES as f64).sqrt();
            eprintln!("J {j:.3}: mean {mean:.3}, sd {sd:.3} (independent: {expected_sd:.3})");
            assert!((mean - j).abs() < 0.015, "J {j}: mean estimate {mean}");
            assert!(sd < expected_sd * 1.25, "J {j}: sd {sd} vs {expected_sd}");
        }
    }

    /// Pseudo-random article-like texts: words from a syllable vocabulary of ~33,000, drawn
    /// with a Zipf-like (log-uniform) rank distribution, so frequent words repeat as in prose.
    struct TextGen(u64);

    impl TextGen {
        fn next(&mut self) -> u64 {
            // Knuth's MMIX LCG; the high bits are the good ones
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        fn word(&mut self) -> String {
            const SYL: [&str; 32] = [
                "ka", "ber", "lin", "to", "mar", "sen", "du", "ri", "vol", "an", "ge", "stra", "po", "mi", "lu", "ten",
                "ho", "zer", "fa", "nik", "el", "ost", "ru", "bel", "dan", "sif", "or", "wen", "tu", "gra", "pel",
                "ix",
            ];
            let u = self.next() as f64 / (1u64 << 31) as f64;
            let rank = (33_792f64.powf(u) as usize).saturating_sub(1);
            let (mut n, len) = if rank < 1024 { (rank, 2) } else { (rank - 1024, 3) };
            let mut w = String::new();
            for _ in 0..len {
                w.push_str(SYL[n % 32]);
                n /= 32;
            }
            w
        }

        fn text(&mut self, words: usize) -> String {
            (0..words).map(|_| self.word()).collect::<Vec<_>>().join(" ")
        }
    }

    #[test]
    fn index_finds_exactly_the_copy_among_1000() {
        let mut gen = TextGen(42);
        let texts: Vec<String> = (0..1000).map(|_| gen.text(200)).collect();
        let mut index = Index::with_capacity(texts.len());
        for (id, t) in (0..).zip(&texts) {
            index.insert(id, &Signature::of_text(t).unwrap());
        }
        assert_eq!(index.len(), 1000);
        let copy = format!("{} {} {}", gen.text(8), texts[417], gen.text(20));
        let found = index.matches(&Signature::of_text(&copy).unwrap());
        assert_eq!(found.iter().map(|m| m.0).collect::<Vec<_>>(), [417], "{found:?}");
        eprintln!("near copy among 1000: {found:?}");
        assert!(index.matches(&Signature::of_text(&gen.text(200)).unwrap()).is_empty());
    }

    #[test]
    fn index_reports_each_id_once_best_first() {
        let mut index = Index::new();
        assert!(index.is_empty() && index.matches(&Signature::of_text(EN_STORY).unwrap()).is_empty());
        let exact = Signature::of_text(EN_STORY).unwrap();
        let longer = Signature::of_text(&format!("{EN_STORY}\n\n{EN_MORE}")).unwrap();
        index.insert(3, &longer);
        index.insert(9, &exact);
        index.insert(3, &exact); // re-inserted id: reported once, with the better similarity
        index.insert(5, &Signature::of_text(EN_OTHER).unwrap());
        assert_eq!(index.len(), 4);
        assert_eq!(index.matches(&exact), [(3, 1.0), (9, 1.0)]);
        let found = index.matches(&longer);
        assert_eq!(found.iter().map(|m| m.0).collect::<Vec<_>>(), [3, 9]);
        assert!(found[0].1 == 1.0 && found[1].1 < 1.0);
    }

    #[test]
    fn band_keys_depend_on_every_row_and_the_band() {
        let zero = Signature([0; HASHES]);
        let keys = zero.bands();
        assert_eq!(keys.iter().collect::<FxHashSet<_>>().len(), BANDS, "equal rows, different bands");
        for pos in 0..HASHES {
            let mut other = zero.clone();
            other.0[pos] = 1;
            let changed: Vec<usize> = (0..BANDS).filter(|&b| other.bands()[b] != keys[b]).collect();
            assert_eq!(changed, [pos / ROWS]);
        }
    }
}
