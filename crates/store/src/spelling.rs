//! British and American spellings of one word (`colour`/`color`, `organised`/`organized`,
//! `centre`/`center`, `grey`/`gray`): the other spellings a query word may be written in.
//!
//! Why at query time: Snowball stems `organized` to `organ` but `organised` to `organis`, and
//! nothing relates `colour` to `color`, so an article in one spelling was missed by a search in
//! the other, and respelling never ran because some article (one about Noah Webster) held the
//! typed form. Reading a query word its other ways needs no change to the index.
//!
//! The regular patterns are rules (`-our`/`-or`, `-ise`/`-ize` and `-yse`/`-yze` with their
//! endings, `-elled`/`-eled`, a leading `palae-`/`pale-` and the like); the patterns that
//! misfire too often (`-re`/`-er`: "entre", "lettre", "votre", "parameter") and the irregular
//! words are lists. Each rule keeps a list of the words it would wrongly change (`four` is no
//! `for`, `scour` no `score`, `promise` no `promize`). What a rule still gets wrong is
//! mostly no word at all, and the caller only takes a spelling some article holds.

/// Whole words spelled differently, British first. Only pairs where either spelling means the
/// same thing: `tyre`/`tire`, `draught`/`draft` and `storey`/`story` are left out, as one
/// side is also another word.
const WORDS: &[(&str, &str)] = &[
    ("grey", "gray"),
    ("greys", "grays"),
    ("greyer", "grayer"),
    ("greyest", "grayest"),
    ("greyish", "grayish"),
    ("greyed", "grayed"),
    ("greying", "graying"),
    ("greyness", "grayness"),
    ("mould", "mold"),
    ("moulds", "molds"),
    ("moulded", "molded"),
    ("moulding", "molding"),
    ("mouldings", "moldings"),
    ("mouldy", "moldy"),
    ("moult", "molt"),
    ("moulted", "molted"),
    ("moulting", "molting"),
    ("smoulder", "smolder"),
    ("smouldered", "smoldered"),
    ("smouldering", "smoldering"),
    ("plough", "plow"),
    ("ploughs", "plows"),
    ("ploughed", "plowed"),
    ("ploughing", "plowing"),
    ("ploughman", "plowman"),
    ("aluminium", "aluminum"),
    ("aeroplane", "airplane"),
    ("aeroplanes", "airplanes"),
    ("jewellery", "jewelry"),
    ("catalogue", "catalog"),
    ("catalogues", "catalogs"),
    ("catalogued", "cataloged"),
    ("cataloguing", "cataloging"),
    ("analogue", "analog"),
    ("analogues", "analogs"),
    ("dialogue", "dialog"),
    ("dialogues", "dialogs"),
    ("pyjamas", "pajamas"),
    ("sceptic", "skeptic"),
    ("sceptics", "skeptics"),
    ("sceptical", "skeptical"),
    ("scepticism", "skepticism"),
    ("manoeuvre", "maneuver"),
    ("manoeuvres", "maneuvers"),
    ("manoeuvred", "maneuvered"),
    ("manoeuvring", "maneuvering"),
    ("defence", "defense"),
    ("defences", "defenses"),
    ("offence", "offense"),
    ("offences", "offenses"),
    ("pretence", "pretense"),
    ("licence", "license"),
    ("licences", "licenses"),
    ("practise", "practice"),
    ("practised", "practiced"),
    ("practising", "practicing"),
    ("enrol", "enroll"),
    ("enrols", "enrolls"),
    ("enrolment", "enrollment"),
    ("fulfil", "fulfill"),
    ("fulfils", "fulfills"),
    ("fulfilment", "fulfillment"),
    ("instalment", "installment"),
    ("instalments", "installments"),
    ("skilful", "skillful"),
    ("skilfully", "skillfully"),
    ("wilful", "willful"),
    ("ageing", "aging"),
    ("judgement", "judgment"),
    ("judgements", "judgments"),
    ("acknowledgement", "acknowledgment"),
    ("doughnut", "donut"),
    ("doughnuts", "donuts"),
    ("cosy", "cozy"),
    ("sulphur", "sulfur"),
    ("sulphate", "sulfate"),
    ("sulphates", "sulfates"),
    ("sulphuric", "sulfuric"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("moustache", "mustache"),
    ("artefact", "artifact"),
    ("artefacts", "artifacts"),
    ("woollen", "woolen"),
    ("mollusc", "mollusk"),
    ("molluscs", "mollusks"),
    ("yoghurt", "yogurt"),
    ("omelette", "omelet"),
    ("titbit", "tidbit"),
    ("annexe", "annex"),
    ("diarrhoea", "diarrhea"),
    ("oedema", "edema"),
];

/// The bases of words whose `-re` is American `-er` (`centre`, `centres`, `centred`,
/// `centring`: `center`, `centers`, `centered`, `centering`). A list, not a rule: most words in
/// `-re` or `-er` are another word when changed (`entre`, `lettre`, `votre` and `ordre` of a
/// French post; `timbre`/`timber`; `parameter`, `diameter` and `perimeter` are `-er` in Britain
/// too).
const RE_ER: &[&str] = &[
    "cent",
    "epicent",
    "theat",
    "amphitheat",
    "met",
    "kilomet",
    "centimet",
    "millimet",
    "micromet",
    "nanomet",
    "lit",
    "millilit",
    "centilit",
    "fib",
    "calib",
    "somb",
    "spect",
    "lust",
    "meag",
    "sab",
    "scept",
    "och",
    "mit",
    "sepulch",
    "goit",
    "saltpet",
    "reconnoit",
];

/// The endings of a British `-re` word and their American forms.
const RE_ENDINGS: &[(&str, &str)] = &[
    ("re", "er"),
    ("res", "ers"),
    ("red", "ered"),
    ("ring", "ering"),
];

/// What may follow `-our` (British) or `-or` (American) in one word: `colour`, `coloured`,
/// `colourful`, `favourite`, `behavioural`, `armoury`.
const OUR_ENDINGS: &[&str] = &[
    "", "s", "ed", "ing", "ings", "able", "ably", "ite", "ites", "itism", "er", "ers", "ful",
    "fully", "less", "al", "ally", "y", "ist", "ists", "ism", "hood",
];

/// Words in `-our` that are no `-or` word (`four` is not `for`, `scour` not `score`): with
/// any ending, neither spelling is read as the other.
const OUR_NOT_OR: &[&str] = &[
    "our",
    "your",
    "four",
    "hour",
    "tour",
    "pour",
    "sour",
    "dour",
    "lour",
    "jour",
    "flour",
    "scour",
    "devour",
    "detour",
    "contour",
    "troubadour",
    "amour",
    "paramour",
    "velour",
    "bonjour",
    "retour",
    "autour",
    "carrefour",
    "seymour",
];

/// British `-ise` endings, whose American form has a `z`.
const ISE_ENDINGS: &[&str] = &[
    "ise",
    "ises",
    "ised",
    "ising",
    "iser",
    "isers",
    "isable",
    "isation",
    "isations",
    "isational",
];

/// `-yse` endings (`analyse`, `paralysed`), American `-yze`.
const YSE_ENDINGS: &[&str] = &["yse", "yses", "ysed", "ysing", "yser", "ysers"];

/// Words in `-ise` that are `-ise` in America too (or whose `-ize` is another word): with any
/// ending, they are not read with a `z`.
const ISE_NOT_IZE: &[&str] = &[
    "advise",
    "advertise",
    "appraise",
    "arise",
    "bruise",
    "cerise",
    "chastise",
    "chemise",
    "circumcise",
    "clockwise",
    "comprise",
    "compromise",
    "concise",
    "cruise",
    "demise",
    "denise",
    "despise",
    "devise",
    "disguise",
    "elise",
    "enterprise",
    "entreprise",
    "excise",
    "exercise",
    "expertise",
    "franchise",
    "improvise",
    "incise",
    "likewise",
    "louise",
    "marquise",
    "merchandise",
    "mortise",
    "otherwise",
    "paradise",
    "poise",
    "porpoise",
    "praise",
    "precise",
    "premise",
    "promise",
    "raise",
    "remise",
    "reprise",
    "revise",
    "sunrise",
    "supervise",
    "surmise",
    "surprise",
    "televise",
    "tortoise",
    "treatise",
    "upraise",
    "valise",
];

/// Endings of `-elled` (British) and `-eled` (American): `travelled`, `cancelling`,
/// `traveller`, `marvellous`.
const ELL_ENDINGS: &[(&str, &str)] = &[
    ("elled", "eled"),
    ("elling", "eling"),
    ("eller", "eler"),
    ("ellers", "elers"),
    ("ellous", "elous"),
];

/// Beginnings spelled with a digraph in Britain: `palaeontology`, `archaeology`, `haemoglobin`,
/// `paediatric`, `oestrogen`, `foetus`, `mediaeval`, `anaesthetic`.
const PREFIXES: &[(&str, &str)] = &[
    ("palae", "pale"),
    ("archae", "arche"),
    ("haemo", "hemo"),
    ("haema", "hema"),
    ("anaem", "anem"),
    ("anaesth", "anesth"),
    ("paedi", "pedi"),
    ("orthopaed", "orthoped"),
    ("encyclopaed", "encycloped"),
    ("gynaec", "gynec"),
    ("oestr", "estr"),
    ("oesoph", "esoph"),
    ("foet", "fet"),
    ("mediaev", "mediev"),
    ("aetiolog", "etiolog"),
];

/// The other spellings of `word` (a query word, any case), British for American and the
/// reverse; empty for a word with no other spelling, or not made of ASCII letters only. Some
/// may be no word at all (`doctor` -> `doctour`): a caller keeps only those an article holds.
pub(crate) fn other_spellings(word: &str) -> Vec<String> {
    let w = word.to_ascii_lowercase();
    let mut out: Vec<String> = Vec::new();
    if w.len() < 4 || !w.bytes().all(|b| b.is_ascii_lowercase()) {
        return out;
    }
    let mut add = |s: String| {
        if s != w && !out.contains(&s) {
            out.push(s);
        }
    };
    for (uk, us) in WORDS {
        if w == *uk {
            add(us.to_string());
        } else if w == *us {
            add(uk.to_string());
        }
    }
    for (uk, us) in PREFIXES {
        // Only where more follows: `pale` itself is no `palae`.
        if let Some(rest) = w.strip_prefix(uk).filter(|r| r.len() >= 2) {
            add(format!("{us}{rest}"));
        } else if let Some(rest) = w.strip_prefix(us).filter(|r| r.len() >= 2) {
            add(format!("{uk}{rest}"));
        }
    }
    for base in RE_ER {
        for (uk, us) in RE_ENDINGS {
            if w == format!("{base}{uk}") {
                add(format!("{base}{us}"));
            } else if w == format!("{base}{us}") {
                add(format!("{base}{uk}"));
            }
        }
    }
    for ending in OUR_ENDINGS {
        let Some(head) = w.strip_suffix(ending) else {
            continue;
        };
        let (stem, uk) = if let Some(stem) = head.strip_suffix("our") {
            (stem, true)
        } else if let Some(stem) = head.strip_suffix("or") {
            (stem, false)
        } else {
            continue;
        };
        // `ours`, `fours`: no letters before the ending, or a word it is not; `floor`,
        // `door`: an `-oor` word.
        if stem.len() < 2
            || stem.ends_with('o')
            || OUR_NOT_OR.contains(&format!("{stem}our").as_str())
        {
            continue;
        }
        add(match uk {
            true => format!("{stem}or{ending}"),
            false => format!("{stem}our{ending}"),
        });
    }
    for (endings, s, z) in [(ISE_ENDINGS, "is", "iz"), (YSE_ENDINGS, "ys", "yz")] {
        for ending in endings {
            let zed = ending.replacen(s, z, 1);
            let (stem, other) = if let Some(stem) = w.strip_suffix(ending) {
                (stem, zed)
            } else if let Some(stem) = w.strip_suffix(zed.as_str()) {
                (stem, ending.to_string())
            } else {
                continue;
            };
            // `size`, `prize`, `seize`, `raise`: too short to be a word made with `-ize`.
            if stem.len() < 3 || ISE_NOT_IZE.contains(&format!("{stem}ise").as_str()) {
                continue;
            }
            add(format!("{stem}{other}"));
        }
    }
    for (uk, us) in ELL_ENDINGS {
        if let Some(stem) = w.strip_suffix(uk) {
            if stem.len() >= 3 {
                add(format!("{stem}{us}"));
            }
        } else if let Some(stem) = w.strip_suffix(us)
            && stem.len() >= 3
            && !stem.ends_with('l')
        {
            add(format!("{stem}{uk}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::other_spellings;

    fn others(w: &str) -> Vec<String> {
        other_spellings(w)
    }

    #[test]
    fn regular_patterns_go_both_ways() {
        for (uk, us) in [
            ("colour", "color"),
            ("colours", "colors"),
            ("coloured", "colored"),
            ("colourful", "colorful"),
            ("honour", "honor"),
            ("honoured", "honored"),
            ("favourite", "favorite"),
            ("behavioural", "behavioral"),
            ("odour", "odor"),
            ("armoury", "armory"),
            ("organise", "organize"),
            ("organised", "organized"),
            ("organisation", "organization"),
            ("organisations", "organizations"),
            ("realised", "realized"),
            ("fertiliser", "fertilizer"),
            ("stabilised", "stabilized"),
            ("serialised", "serialized"),
            ("analyse", "analyze"),
            ("paralysed", "paralyzed"),
            ("centre", "center"),
            ("centred", "centered"),
            ("theatres", "theaters"),
            ("kilometre", "kilometer"),
            ("fibre", "fiber"),
            ("travelled", "traveled"),
            ("traveller", "traveler"),
            ("cancelling", "canceling"),
            ("marvellous", "marvelous"),
            ("palaeontology", "paleontology"),
            ("archaeology", "archeology"),
            ("haemoglobin", "hemoglobin"),
            ("grey", "gray"),
            ("mould", "mold"),
            ("moulds", "molds"),
            ("defence", "defense"),
        ] {
            assert!(others(uk).contains(&us.to_string()), "{uk} -> {us}");
            assert!(others(us).contains(&uk.to_string()), "{us} -> {uk}");
        }
        assert_eq!(others("Colour"), ["color"]);
    }

    #[test]
    fn words_that_only_look_like_the_patterns_keep_their_spelling() {
        for w in [
            "our",
            "ours",
            "your",
            "yours",
            "four",
            "hour",
            "hours",
            "tour",
            "tourist",
            "pour",
            "sour",
            "flour",
            "floor",
            "scour",
            "scoring",
            "devour",
            "detour",
            "contour",
            "for",
            "nor",
            "door",
            "poor",
            "are",
            "more",
            "fire",
            "genre",
            "acre",
            "massacre",
            "entre",
            "lettre",
            "votre",
            "notre",
            "ordre",
            "timbre",
            "cadre",
            "enter",
            "letter",
            "voter",
            "order",
            "member",
            "october",
            "parameter",
            "diameter",
            "timber",
            "size",
            "prize",
            "seize",
            "maize",
            "raise",
            "rise",
            "wise",
            "noise",
            "promise",
            "surprise",
            "exercise",
            "advertise",
            "compromise",
            "enterprise",
            "expertise",
            "paradise",
            "precise",
            "concise",
            "cruise",
            "supervise",
            "advised",
            "promising",
            "amour",
            "amor",
            "spell",
            "sell",
            "seller",
            "tell",
            "teller",
            "pale",
            "yell",
        ] {
            let wrong: Vec<String> = others(w)
                .into_iter()
                .filter(|o| {
                    // Spellings that are no word are harmless (no article holds them); these
                    // are words, and not the same word.
                    [
                        "or",
                        "yor",
                        "for",
                        "hor",
                        "tor",
                        "por",
                        "sor",
                        "flor",
                        "flour",
                        "scor",
                        "score",
                        "scouring",
                        "devor",
                        "detor",
                        "contor",
                        "four",
                        "nour",
                        "dour",
                        "ar",
                        "mor",
                        "fir",
                        "gener",
                        "acer",
                        "massacer",
                        "enter",
                        "letter",
                        "voter",
                        "noter",
                        "order",
                        "timber",
                        "cader",
                        "entre",
                        "lettre",
                        "votre",
                        "ordre",
                        "membre",
                        "octobre",
                        "parametre",
                        "diametre",
                        "timbre",
                        "sise",
                        "prise",
                        "seise",
                        "maise",
                        "raize",
                        "rize",
                        "wize",
                        "noize",
                        "promize",
                        "surprize",
                        "exercize",
                        "advertize",
                        "compromize",
                        "enterprize",
                        "expertize",
                        "paradize",
                        "precize",
                        "concize",
                        "cruize",
                        "supervize",
                        "advized",
                        "promizing",
                        "amor",
                        "amour",
                        "spel",
                        "sel",
                        "seler",
                        "tel",
                        "teler",
                        "palae",
                        "yel",
                    ]
                    .contains(&o.as_str())
                })
                .collect();
            assert!(wrong.is_empty(), "{w} -> {wrong:?}");
        }
        for w in [
            "four", "hour", "tour", "flour", "floor", "for", "are", "more", "enter",
        ] {
            assert!(others(w).is_empty(), "{w} -> {:?}", others(w));
        }
    }

    #[test]
    fn words_not_of_ascii_letters_have_no_other_spelling() {
        assert!(others("colour's").is_empty());
        assert!(others("well-organised").is_empty());
        assert!(others("théâtre").is_empty());
        assert!(others("col").is_empty());
    }
}
