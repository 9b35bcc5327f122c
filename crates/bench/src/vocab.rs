//! The corpus vocabulary: real English words first, pseudo-words after, drawn with Zipf's law.
//!
//! Real text follows Zipf's law: the r-th most frequent word occurs about 1/r as often as the
//! most frequent one. We draw from a Zipf–Mandelbrot distribution, weight ∝ 1/(r + 2.7), over a
//! fixed list: a few hundred real words ordered roughly by frequency (function words, then
//! business and IT words like the seed feed's), then deterministic pseudo-words ("dravelon")
//! for the long tail. Weights are integers, so sampling never touches platform floating point.

use std::collections::HashSet;

use crate::rng::Rng;

/// Real words, most frequent first. Function words lead, as in any English text.
const REAL: &str = "
the of and to a in is that for it you as with on are this be your have or not they at by
from but can will we an more their if all about one so what there which do when out up them
would has who our some other get just time into how than also been these its only new make
like most need way then many because any over good very well those could even know first
should through much where work want take see business services service clients client people
managed customers customer company companies msp msps support network technology small
sales market marketing value process team help best years year money price pricing contract
relationship problem problems data server servers backup security cloud email users user
office software hardware system systems model revenue growth plan plans cost costs project
projects provider providers monthly recurring agreement agreements level levels proactive
reactive monitoring remote desk tools tool partner partners vendor vendors strategy goal
goals offer offers product products solution solutions issue issues question questions
answer answers call calls meeting meetings proposal proposals budget budgets risk risks
results result point points number numbers right long great important different still
own every same because another each might must here back those since while before after
again around always never often sometimes usually really probably actually certainly simply
quickly easily clearly exactly directly finally already almost enough rather quite less
least few little own last next early late high low large big small short full whole
able possible likely certain clear sure simple easy hard difficult real true main major
local national global public private free open closed single double total average common
special general specific personal professional technical financial legal social human
local owner owners manager managers engineer engineers technician technicians staff
employee employees consultant consultants executive executives director directors partner
firm firms industry industries sector market markets economy competition competitor
competitors brand brands website websites blog blogs article articles post posts page
pages list lists report reports review reviews survey surveys study studies example
examples case cases story stories idea ideas reason reasons fact facts way ways thing
things part parts place places area areas world state states city cities country countries
family families friend friends group groups member members community communities school
schools student students teacher teachers lesson lessons training course courses skill
skills experience knowledge information communication conversation discussion decision
decisions change changes trend trends future history past present moment period week weeks
month months day days hour hours minute minutes morning evening night today tomorrow
yesterday deliver delivered delivery build built building grow grew growing sell sold
selling buy bought buying pay paid paying charge charged charging save saved saving spend
spent spending invest invested investing manage managed managing measure measured
measuring track tracked tracking improve improved improving reduce reduced reducing
increase increased increasing protect protected protecting recover recovered recovering
install installed installing upgrade upgraded upgrading patch patched patching migrate
migrated migrating configure configured configuring deploy deployed deploying respond
responded responding resolve resolved resolving escalate escalated escalating document
documented documenting explain explained explaining understand understood understanding
expect expected expecting believe believed believing consider considered considering
focus focused focusing position positions foundation foundations referral referrals
introduction introductions lifetime success successful failure failures quality quantity
efficiency productivity uptime downtime outage outages incident incidents ticket tickets
firewall firewalls router routers switch switches laptop laptops desktop desktops printer
printers phone phones mobile device devices virtual virtualization storage database
databases application applications license licenses licensing subscription subscriptions
compliance regulation regulations policy policies password passwords virus viruses malware
spam encryption access identity domain domains hosting exchange workstation workstations
bandwidth internet wireless cable fiber power battery generator rack datacenter
";

/// Planted collocations, so phrase queries have true hits and differ from their two-word AND.
pub const PHRASES: &[&str] = &[
    "managed services",
    "remote monitoring",
    "disaster recovery",
    "help desk",
    "service level agreement",
    "first position",
    "total lifetime value",
    "small business owners",
    "recurring revenue",
    "trusted advisor",
];

/// Rare marker words, planted in a known set of articles (see [`crate::marker_hits`]) so
/// rare-word queries have a known number of hits. None is a real word of `REAL` and none can
/// be a pseudo-word (they contain letters the syllable table lacks: q, x, z, j, y, w, k, g, h).
pub const MARKERS: &[&str] = &[
    "quillwort",
    "zymurgy",
    "xebecs",
    "jacquard",
    "kumquat",
    "wyvern",
    "zephyrs",
    "quokka",
];

const ONSETS: &[&str] = &[
    "b", "br", "c", "cl", "cr", "d", "dr", "f", "fl", "fr", "l", "m", "n", "p", "pl", "pr", "r",
    "s", "sc", "sl", "sp", "st", "str", "t", "tr", "v",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"];
const CODAS: &[&str] = &[
    "", "", "", "n", "r", "l", "m", "s", "nt", "rd", "st", "ck", "lt",
];

/// Size of the whole vocabulary: enough types for a realistic long tail, few enough that a
/// common pseudo-word still repeats.
pub const VOCAB_SIZE: usize = 6000;

/// The vocabulary with its cumulative Zipf weights.
#[derive(Debug, Clone)]
pub struct Vocab {
    words: Vec<String>,
    cumulative: Vec<u64>,
}

impl Vocab {
    /// The fixed vocabulary. It does not depend on the corpus seed: every corpus shares one word
    /// list, so queries written against it mean the same thing at every size and seed.
    pub fn new() -> Vocab {
        let mut seen = HashSet::new();
        let mut words: Vec<String> = Vec::with_capacity(VOCAB_SIZE);
        for w in REAL.split_whitespace() {
            if seen.insert(w.to_string()) {
                words.push(w.to_string());
            }
        }
        // A fixed stream, independent of the corpus seed (see above).
        let mut rng = Rng::new(0x006b_6276_6f63_6162);
        while words.len() < VOCAB_SIZE {
            let syllables = rng.range(2, 3);
            let mut w = String::new();
            for _ in 0..syllables {
                w.push_str(rng.pick::<&str>(ONSETS));
                w.push_str(rng.pick::<&str>(VOWELS));
            }
            w.push_str(rng.pick::<&str>(CODAS));
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        // Zipf–Mandelbrot weight ∝ 1/(r + 2.7), as integers: 10^12 / (10 r + 27).
        let mut total = 0u64;
        let cumulative = (0..words.len() as u64)
            .map(|r| {
                total += 1_000_000_000_000 / (10 * r + 27);
                total
            })
            .collect();
        Vocab { words, cumulative }
    }

    /// One word, Zipf-distributed.
    pub fn draw(&self, rng: &mut Rng) -> &str {
        let total = self.cumulative.last().copied().unwrap_or(0);
        let x = rng.below(total);
        let i = self.cumulative.partition_point(|&c| c <= x);
        &self.words[i.min(self.words.len() - 1)]
    }

    /// The word of rank `r` (0 is the most frequent).
    pub fn word(&self, r: usize) -> &str {
        &self.words[r.min(self.words.len() - 1)]
    }

    /// The rank of a word, if it is in the vocabulary.
    pub fn rank(&self, w: &str) -> Option<usize> {
        self.words.iter().position(|x| x == w)
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the vocabulary is empty (never, but clippy asks).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

impl Default for Vocab {
    fn default() -> Self {
        Vocab::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_outside_the_vocabulary() {
        let v = Vocab::new();
        assert_eq!(v.len(), VOCAB_SIZE);
        for m in MARKERS {
            assert_eq!(v.rank(m), None, "{m}");
        }
    }

    #[test]
    fn draws_follow_rank() {
        let v = Vocab::new();
        let mut rng = Rng::new(1);
        let mut counts = vec![0u32; v.len()];
        for _ in 0..200_000 {
            let w = v.draw(&mut rng);
            counts[v.rank(w).unwrap_or(0)] += 1;
        }
        assert!(counts[0] > counts[10] && counts[10] > counts[1000]);
    }
}
