//! Rule tables of the cleaner, as data (habit 10). The algorithms in `dom.rs` read these lists
//! and never name a site or a word themselves; adding a language or a tracker is a one-line
//! change here. Everything is lowercase; matching lowercases the input.

/// Words that, standing alone in their element or line (decorations allowed), label an ad block.
/// German, English, French, Spanish, Italian, Dutch, Polish, Swedish, Danish/Norwegian,
/// Portuguese, Czech.
pub const AD_LABELS: &[&str] = &[
    "anzeige",
    "werbung",
    "gesponsert",
    "sponsored",
    "sponsored content",
    "sponsored post",
    "advertisement",
    "advertising",
    "advert",
    "ad",
    "promoted",
    "promotion",
    "paid content",
    "paid post",
    "partner content",
    "partner-content",
    "advertorial",
    "publicité",
    "publicite",
    "contenu sponsorisé",
    "publicidad",
    "patrocinado",
    "pubblicità",
    "pubblicita",
    "sponsorizzato",
    "advertentie",
    "gesponsord",
    "reklama",
    "annons",
    "annonse",
    "annonce",
    "reklame",
    "publicidade",
    "inzerce",
    "reklama",
    "sponzorováno",
];

/// Characters that may decorate a label: `- Anzeige -`, `[Anzeige]`, `ANZEIGE:`, `*Anzeige*`, `Anzeige |`.
pub const LABEL_DECORATION: &[char] =
    &['-', '–', '—', '*', '[', ']', '(', ')', ':', '|', '•', '·', '_', '/', '#', '>', '<', '«', '»', '=', '~', '.'];

/// Class or id tokens (split on space, `-` and `_`) that mark an element as an ad or as a
/// share/boilerplate widget. Whole tokens only: `header`, `download`, `read-more` are safe.
pub const AD_CLASS_TOKENS: &[&str] = &[
    "ad",
    "ads",
    "adv",
    "advert",
    "adverts",
    "advertisement",
    "advertising",
    "adsbygoogle",
    "adslot",
    "adunit",
    "sponsor",
    "sponsored",
    "sponsoring",
    "promo",
    "promoted",
    "werbung",
    "anzeige",
    "outbrain",
    "taboola",
    "plista",
    "ligatus",
    "commercial",
    "paid",
];

/// Class or id tokens of share bars and feed furniture.
pub const BOILERPLATE_CLASS_TOKENS: &[&str] =
    &["feedflare", "sharedaddy", "share", "sharing", "social", "shariff", "jp", "relatedposts"];

/// Elements removed with their whole content before anything else (the sanitizer would strip
/// them too; removing them first keeps their text out of the ad heuristics).
pub const REMOVE_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "object", "embed", "applet", "form", "button", "input",
    "select", "textarea", "link", "meta", "base", "svg", "math",
];

/// Query parameters that only track the reader. Exact names.
pub const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "wt_mc",
    "wt_zmc",
    "wt.mc_id",
    "ref_src",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "spm",
    "at_medium",
    "at_campaign",
    "cmpid",
    "ito",
    "icid",
    "s_cid",
    "ncid",
    "sr_share",
    "feature",
    "xtor",
];

/// Query parameter prefixes that only track the reader.
pub const TRACKING_PARAM_PREFIXES: &[&str] = &["utm_", "mtm_", "pk_", "piwik_", "matomo_", "hmb_", "__s"];

/// `host` or `host/path-prefix` of tracking pixels and beacons; an image from one is removed.
pub const TRACKER_URLS: &[&str] = &[
    "feeds.feedburner.com/~r/",
    "feedproxy.google.com/~r/",
    "feeds.feedsportal.com",
    "da.feedsportal.com",
    "feedsportal.com",
    "stats.wordpress.com",
    "pixel.wp.com",
    "vgwort.de",
    "met.vgwort.de",
    "cpx.golem.de",
    "www.google-analytics.com",
    "pixel.quantserve.com",
    "sb.scorecardresearch.com",
    "b.scorecardresearch.com",
    "pixel.tapad.com",
    "feeds.feedblitz.com/~/i/",
    "ad.doubleclick.net",
    "ssl-vg03.met.vgwort.de",
    "heise.ivwbox.de",
    "ivwbox.de",
];

/// `host` or `host/path-prefix` of share links and FeedBurner feedflare; such a link is removed.
pub const SHARE_URLS: &[&str] = &[
    "www.facebook.com/sharer",
    "facebook.com/sharer",
    "m.facebook.com/sharer",
    "www.facebook.com/share.php",
    "twitter.com/intent",
    "twitter.com/share",
    "x.com/intent",
    "x.com/share",
    "api.whatsapp.com/send",
    "wa.me/",
    "web.whatsapp.com/send",
    "www.linkedin.com/shareArticle",
    "linkedin.com/shareArticle",
    "www.linkedin.com/sharing",
    "pinterest.com/pin/create",
    "www.pinterest.com/pin/create",
    "www.reddit.com/submit",
    "reddit.com/submit",
    "t.me/share",
    "telegram.me/share",
    "www.xing.com/spi/shares",
    "www.xing.com/social/share",
    "feeds.feedburner.com/~ff/",
    "feedproxy.google.com/~ff/",
    "feeds.feedburner.com/~a/",
    "bsky.app/intent",
    "share.flipboard.com",
    "getpocket.com/save",
    "news.ycombinator.com/submitlink",
    "www.tumblr.com/share",
];

/// Whole-block boilerplate, matched against the block's whitespace-normalized text.
pub const BOILERPLATE_PATTERNS: &[&str] = &[
    r"(?i)^the post .+ appeared first on .+$",
    r"(?i)^der beitrag .+ erschien zuerst auf .+$",
    r"(?i)^(?:this (?:post|article|entry) )?(?:was )?(?:originally )?(?:published|posted) (?:first )?on .{1,80}\.?$",
    r"(?i)^\W*(?:read more|read the full (?:story|article)|continue reading|weiterlesen|mehr lesen|zum artikel|lire la suite|leer más|leggi tutto|lees meer|läs mer|læs mere|les mer|czytaj więcej|ler mais|číst dál)\W*(?:»|›|→|\.\.\.|…)?\W*$",
];

/// How a long boilerplate line (one of `BOILERPLATE_PATTERNS` that is not a short "read more")
/// begins: blocks that start otherwise are not tested against the patterns at all.
pub const BOILERPLATE_STARTS: &[&str] =
    &["the post", "der beitrag", "this ", "was ", "originally", "published", "posted"];

/// Phrases of a call to action or a sales pitch (a block after an ad label that contains them
/// still belongs to the ad). Matched on word boundaries, lowercase.
pub const CTA_PHRASES: &[&str] = &[
    "jetzt",
    "kostenlos",
    "kostenlosen",
    "kostenloses",
    "gratis",
    "herunterladen",
    "download",
    "abonnieren",
    "abonniere",
    "anmelden",
    "melde dich",
    "melden sie sich",
    "registrieren",
    "sichern",
    "bestellen",
    "newsletter",
    "börsenbrief",
    "hier klicken",
    "mehr erfahren",
    "probemonat",
    "angebot",
    "rabatt",
    "gutschein",
    "100%",
    "sign up",
    "subscribe",
    "free trial",
    "claim",
    "buy now",
    "order now",
    "learn more",
    "click here",
    "get started",
    "offer",
    "discount",
    "limited time",
    "register",
    "s'inscrire",
    "gratuit",
    "abonnez",
    "suscríbete",
    "gratuito",
    "iscriviti",
    "gratis",
    "aanmelden",
    "zapisz się",
    "darmowy",
    "prenumerera",
    "tilmeld",
    "grátis",
];

/// Words that address the reader directly, typical of promos and rare in news text.
pub const SECOND_PERSON: &[&str] = &[
    "du", "dich", "dir", "dein", "deine", "deinen", "deinem", "deiner", "deines", "you", "your", "yours", "vous",
    "votre", "tu", "jij", "je", "jouw", "ty", "twój",
];

/// Item titles or categories whose first word is one of these mark the whole item as an ad.
pub const AD_ITEM_WORDS: &[&str] = &[
    "anzeige",
    "werbung",
    "sponsored",
    "gesponsert",
    "advertorial",
    "advertisement",
    "partner-content",
    "partnercontent",
    "promoted",
    "paid post",
    "publicité",
    "publicidad",
    "pubblicità",
    "reklama",
    "annons",
    "annonce",
    "reklame",
    "publicidade",
];

/// Link path segments that mark an item as an ad.
pub const AD_LINK_SEGMENTS: &[&str] = &["anzeige", "sponsored", "advertorial", "werbung", "sponsored-content"];
