//! Rule tables of the cleaner, as data (words and patterns here, mechanisms in code). The
//! algorithms in `dom/` and `learn.rs` read these lists and never name a site or a word
//! themselves; adding a language or a tracker is a one-line
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
    "sponsored link",
    "sponsored links",
    "sponsor message",
    "sponsored message",
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
    "sponsor",
    "sponsors",
    "anzeigen",
    "werbeanzeige",
    "reklamy",
];

/// Headings that announce a list of links to other articles ("Related posts", "Articles en
/// rapport", "Mehr zum Thema"): with the run of link-only blocks under them, not the article.
/// One regex over the lowercase heading, decorations and a trailing colon trimmed.
pub const RELATED_HEADING: &str = concat!(
    r"^(?:related|related (?:posts?|articles?|stories|links|content|reading|coverage|news)|verwandt|relacionad[oa]s?|correlati|relacionats|gerelateerd|",
    r"you (?:may|might) also (?:like|enjoy|be interested in)|more (?:stories|articles|posts|news)(?: from [\w' .-]+)?|",
    r"read also|recommended for you|",
    r"articles? (?:en rapport|liés|similaires|connexes)|(?:à )?lire aussi|sur le même sujet|dans la même rubrique|",
    r"mehr zum thema|lesen sie auch|das könnte sie auch interessieren|weitere (?:artikel|beiträge|meldungen)|",
    r"verwandte (?:artikel|beiträge|themen)|ähnliche (?:artikel|beiträge)|auch interessant|zum thema|",
    r"(?:artículos|entradas|publicaciones|posts|noticias) relacionad[oa]s|te puede interesar|leer también|",
    r"articoli correlati|post correlati|leggi anche|potrebbe interessarti|leia também|(?:artigos|posts|notícias) relacionad[oa]s|",
    r"lees ook|gerelateerde (?:artikelen|berichten)|relaterade artiklar|läs också|czytaj (?:także|też)|powiązane artykuły|",
    r"das könnte dich auch interessieren|dazu passend|empfehlungen der redaktion|(?:entdecke|entdecken sie) (?:weitere|mehr)(?: \w+)?|",
    r"vous aimerez aussi|à découvrir aussi|también te puede interesar|ti potrebbe(?:ro)? interessare|potrebbero interessarti|você também pode gostar|",
    r"zobacz (?:także|też|również)|polecane|související články|mohlo by vás zajímat|ezek is érdekelhetnek|kapcsolódó cikkek|",
    r"relaterede artikler|læs også|relaterte artikler|les også|lue myös|aiheeseen liittyvät|ilgili haberler|читайте также|похожие статьи|по теме|",
    // the share row's heading, whose list is of share links
    r"share this(?: post| article| story)?|share|teilen|diesen (?:artikel|beitrag) teilen|partager(?: cet article)?|compartir|condividi)$",
);

/// A short line that begins with one of these names the sponsor of what follows ("Sponsored by
/// ACME", "Präsentiert von …"): it is a label like `AD_LABELS`.
pub const SPONSOR_LINE_STARTS: &[&str] = &[
    "sponsored by",
    "presented by",
    "brought to you by",
    "this issue is brought to you by",
    "this newsletter is sponsored by",
    "today's sponsor",
    "in partnership with",
    "präsentiert von",
    "präsentiert by",
    "gesponsert von",
    "unterstützt von",
    "sponsorisé par",
    "patrocinado por",
    "sponsorizzato da",
    "gesponsord door",
    "sponsrat av",
];

/// Lines that lead a list of sponsors ("This episode is brought to you by:", "Our Sponsors",
/// "Thanks to our sponsors!"): labels like `AD_LABELS`, whose ad is the list under them.
/// Regexes over the lowercase line, decorations trimmed.
pub const SPONSOR_LEADS: &[&str] = &[
    r"^(?:(?:our|today'?s|this week'?s|this episode'?s|the show'?s|show|episode|podcast|newsletter) )?sponsors?$",
    r"^(?:(?:a )?(?:big |many |special )?(?:thanks|thank you) to|check out|please support|support) (?:our|today'?s|this week'?s|the show'?s) sponsors?(?: this week)?$",
    r"^(?:this|today'?s|this week'?s|the) (?:episode|show|podcast|issue|newsletter|edition|video|stream)(?: of [\w' ]+?)? (?:is|was) (?:also )?(?:brought to you|sponsored|supported|presented|made possible|underwritten)(?: this week| today)? by(?: these (?:fine |great )?(?:sponsors|folks|companies))?$",
    r"^(?:brought to you|sponsored|supported) by(?: these (?:fine |great )?(?:sponsors|folks|companies)| our sponsors)?$",
    r"^(?:gesponsert|präsentiert|unterstützt) (?:von|durch)$",
    r"^(?:unsere |die )?sponsoren(?: dieser folge| dieser ausgabe)?$",
    r"^(?:diese|die heutige) (?:folge|episode|sendung|ausgabe) (?:wird|ist) (?:präsentiert|unterstützt|gesponsert|ermöglicht) (?:von|durch)$",
    r"^(?:nos|merci à nos) (?:sponsors|partenaires)$",
    r"^(?:nuestros|gracias a nuestros) patrocinadores$",
];

/// The first sentence of a sponsor read: the feed's own episode, show or newsletter is
/// brought to you by someone ("The Rails Envy podcast is also brought to you this week by
/// Cloudspace. Cloudspace builds …", "Thanks to Acme for sponsoring this week's episode!"):
/// the block it begins is the ad (a thank-you for sponsoring the *feed* or the site is the
/// sponsor's own post, `AD_SELF_DISCLOSURES`). What is sponsored must be
/// the publication itself: "The conference is sponsored by …" is news.
pub const SPONSOR_READS: &[&str] = &[
    r"^(?:the|this|today'?s|this week'?s|our)\b[^.!?]{0,60}?\b(?:episode|show|podcast|issue|newsletter|edition|video|stream|broadcast)s?\b[^.!?]{0,20}?\b(?:is|was|are|were)\s+(?:also\s+|once again\s+)?(?:brought to you|sponsored|supported|presented|made possible|powered|underwritten)\b",
    r"^(?:diese|die heutige)\s+(?:folge|episode|sendung|ausgabe)\b[^.!?]{0,40}?\b(?:wird|ist)\s+(?:präsentiert|unterstützt|gesponsert)\b",
    r"^(?:many |big |special |a big )?(?:thanks|thank you)(?: to)?,? [^.!?]{1,60}? for sponsoring (?:this|the|our|today'?s) (?:week'?s? |weeks )?(?:episode|show|podcast|issue|newsletter|edition|video|stream)\b",
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

/// Class or id tokens of a link made to look like a button (`dom::elements::button_link`).
pub const BUTTON_TOKENS: &[&str] = &["button", "btn"];
/// A button's text is at most this many characters; a longer link is read as text.
pub const BUTTON_MAX_CHARS: usize = 60;

/// Class or id tokens of share bars and feed furniture.
pub const BOILERPLATE_CLASS_TOKENS: &[&str] = &[
    "feedflare",
    "sharedaddy",
    "share",
    "sharing",
    "social",
    "shariff",
    "jp",
    "relatedposts",
    "related",
    "newsletter",
    "signup",
    "subscribe",
    "subscription",
];

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

/// What a page's buttons say (`BOILERPLATE_PATTERNS`, "a page control"), as one alternation:
/// a macro, so that the pattern can repeat it.
macro_rules! page_control {
    () => {
        r"(?:(?:lade|load|zeige|show) (?:weitere|more|mehr)(?: (?:inhalte|artikel|beiträge|posts|articles|stories|comments|kommentare))?|(?:weitere|mehr) (?:inhalte |artikel |beiträge )?(?:laden|anzeigen)|charger plus(?: d['’]articles)?|cargar más|carica altri|meer laden|(?:rezept|artikel|seite|beitrag) drucken|print (?:this )?(?:recipe|article|page|post)|imprimer (?:la recette|l['’]article|cette page)|imprimir (?:receta|artículo)|stampa (?:la )?ricetta|noch keine bewertungen|no ratings yet|(?:be the first to )?rate this (?:post|article|recipe)|(?:jetzt )?kommentieren|kommentar schreiben|(?:write|add|post) a comment|(?:you must be|you need to be) logged in to (?:post a )?comment|sie müssen (?:sich )?(?:einloggen|anmelden|eingeloggt sein|angemeldet sein),? um [^.!?]{0,60}(?:kommentar|kommentieren|diskussion)[^.!?]{0,40}|sie sind (?:aktuell |derzeit |zur zeit )?nicht (?:eingeloggt|angemeldet)|(?:quellen|details|kommentare|antworten|weniger|alles?) (?:ausblenden|einblenden|anzeigen)|(?:show|hide) (?:less|sources|details|comments|replies)|loading|wird geladen|lädt|chargement|cargando|caricamento|bei pinterest (?:speichern|merken)|(?:save|pin) (?:it |this )?(?:to|on) pinterest)"
    };
}

/// Whole-block boilerplate, matched against the block's whitespace-normalized text: a name
/// (shown by `--explain`) and the pattern.
pub const BOILERPLATE_PATTERNS: &[(&str, &str)] = &[
    ("an \"appeared first on\" footer", r"(?i)^the post .+ appeared first on .+$"),
    ("an \"erschien zuerst auf\" footer", r"(?i)^der beitrag .+ erschien zuerst auf .+$"),
    ("an \"apparu en premier sur\" footer", r"(?i)^l[’'`]article .+ est apparu en premier sur .+$"),
    (
        "an \"appeared first on\" footer in another language",
        r"(?i)^(?:(?:la entrada|el post) .+ (?:se publicó|aparece) primero en|l[’'`]articolo .+ (?:sembra essere il primo su|proviene da)|o (?:post|artigo) .+ apareceu primeiro em|het bericht .+ verscheen eerst op|příspěvek .+ pochází z|(?:сообщение|запись) .+ (?:появились|появилась|появилось) (?:сначала|впервые) (?:на|в)|(?:artykuł|wpis) .+ pochodzi z(?: serwisu)?|il post .+ è apparso per la prima volta su|el artículo .+ se publicó primero en|inlägget .+ dök först upp på|indlægget .+ (?:blev vist|optrådte) først på|(?:pos|artikel|postingan) .+ muncul pertama kali di) .+$",
    ),
    (
        "an \"originally published on\" footer",
        r"(?i)^(?:(?:this (?:post|article|entry|story|piece) )?(?:was )?(?:originally |first )?(?:published|posted)|this [\w-]+ was (?:originally|first) (?:published|posted)|the (?:post|article) .{1,200} was (?:originally |first )published|this (?:article|post|story) was written by [^.!?]{1,60} and (?:was )?(?:originally |first )published|(?:dieser|der) (?:artikel|beitrag) (?:ist |erschien )?(?:zuerst|ursprünglich|erstmals)(?: erschienen)?) (?:first )?(?:on|at|auf|bei|in) .{1,80}\.?$",
    ),
    (
        "an affiliate disclosure",
        r"(?i)^(?:(?:(?:affiliate )?disclosure|disclaimer|hinweis|transparenz|werbehinweis)\s*:\s*)?(?:(?:this|the) (?:post|article|page|recipe|review|site|video|episode) (?:contains|may contain|includes) (?:some )?affiliate links|some (?:of the )?links (?:in|on) this (?:post|article|page) (?:are|may be) affiliate links|(?:we|i) (?:may )?(?:receive|earn|get) (?:a )?(?:small )?(?:compensation|commission)\b|as an amazon associate|als amazon-partner verdiene|en tant que partenaire amazon|como afiliad[oa] de amazon|in qualità di affiliato amazon|(?:dieser (?:artikel|beitrag)|diese seite) enthält (?:affiliate|partner)-?links|bei den (?:mit \S+ (?:markierten|gekennzeichneten) )?links handelt es sich um (?:affiliate|partner)-?links|\*?affiliate-link)",
    ),
    (
        "a \"view in browser\" line",
        r"(?i)^(?:view|read|open) (?:this|the) (?:email|e-mail|newsletter) (?:in|im) (?:your|a|the) (?:web )?browser\W*(?:(?:https?://|www\.)\S+)?$",
    ),
    (
        "a \"read more\" line",
        r"(?i)^\W*(?:read more|read the (?:full )?(?:story|article|post)|click here to (?:read|see|view) (?:the )?(?:full |whole |complete |entire |rest of the )?(?:story|article|post|review|more)|view (?:the )?original (?:post|article)|continue reading|keep reading|weiterlesen|mehr lesen|zum (?:ganzen |vollständigen )?artikel|lire la suite|lire l['’]article|leer más|seguir leyendo|leggi tutto|continua a leggere|lees meer|lees verder|läs mer|läs hela artikeln|læs mere|les mer|czytaj więcej|czytaj dalej|ler mais|continuar lendo|číst dále|číst dál|celý článek)\W*(?:»|›|→|\.\.\.|…)?(?:\s*:?\s*(?:https?://|www\.)\S+)?\W*$",
    ),
    (
        "a \"read also\" link",
        r"(?i)^\W*(?:lees ook|lies auch|lesen sie auch|auch interessant|mehr zum thema|schon gelesen|zum weiterlesen|read also|see also|related|läs också|(?:à )?lire aussi|leer también|lea también|lee también|mira|mire|leggi anche|czytaj też|leia também|čtěte také)\s*[:»›→|?]\s*.{1,160}$",
    ),
    (
        "a tag or category line",
        r"(?i)^\W*(?:technorati )?(?:tags?|tagged(?: with| as)?|filed (?:under|in)|categor(?:y|ies|ie|ia|ias|ía|ías|ieën)|kategori(?:e|en|er)?|catégories?|keywords?|posted in|schlagw(?:ö|oe)rter|schlagworte|stichw(?:ö|oe)rter|stichworte|trefwoorden|étiquettes|mots-clés|etiquetas|palabras clave|parole chiave|palavras-chave|tag)\s*:\s*[^.!?]{0,200}[\]\)]?\s*$",
    ),
    (
        "a photo credit",
        r"(?i)^\W*(?:(?:fotos?|photos?|bild(?:er)?|images?|credits?|bildquelle|©|\(c\))\s*[:©]\s*[^.!?]{1,80}|(?:(?:header|cover|featured) )?(?:photo|image|foto|bild) (?:by|von) [^.!?]{1,60}|©\s*[^.!?]{1,80}|[^.!?]{0,60}\b(?:getty images|afp|dpa|reuters|ap photo|picture[- ]alliance|imago(?: images)?|shutterstock|istock(?:photo)?|keystone|epa|ddp)\b[^.!?]{0,40})$",
    ),
    (
        "a \"read the rest\" teaser line",
        r#"(?i)^\W*(?:read the rest(?: of(?: [^\s.!?]+){1,5})?|continued? reading(?: [^\s.!?]+){1,8}|continued? reading\s+[“"‘'][^“”"‘’']+[”"’']|\[\s*(?:more|mehr|plus|más|meer|…|\.\.\.)\s*\])\W*(?:\.\.\.|…)?\W*$"#,
    ),
    (
        "a \"more after the jump\" line",
        // Not "after the break" (a match's second half) nor "nach dem Sprung" (ski jumping).
        r"(?i)^\W*(?:[^.!?]{0,100}\b(?:after|past|beyond) the (?:jump|fold|link)|[^.!?]{0,100}\bnach dem klick|(?:hit|click|follow) the (?:jump|link)\b[^.!?]{0,100}|read on for\b[^.!?]{0,100})\W*(?:\.\.\.|…|»|›|→)?\W*$",
    ),
    (
        "a \"read more at\" line",
        r"(?i)^\W*(?:(?:read|see|view) (?:more|the rest|the full (?:story|article|post))|continue reading|keep reading|continúa leyendo|sigue leyendo|seguir leyendo|lire la suite|weiterlesen|mehr lesen|leggi (?:tutto|il resto|l['’]articolo completo)|leia (?:mais|o resto)|continue lendo|lees (?:verder|meer)|läs (?:mer|vidare)|læs (?:mere|videre))\s*:?\s+(?:at|on|in|from|en|sur|auf|bei|su|em|no|na|op|på)(?:\s+[^!?]{1,80}?)?\W*$",
    ),
    (
        "a Medium footer",
        r"(?i)^.{1,300}\bwas originally published in\b.{1,120}\bon medium, where people are continuing the conversation by highlighting and responding to this story\.?$",
    ),
    (
        "an \"originally appeared on\" footer",
        r"(?i)^(?:this (?:post|article|story|piece|essay|interview) )?(?:originally|first) (?:appeared|ran) (?:on|in|at) .{1,80}\.?$",
    ),
    (
        "a newsletter's subscribe footer",
        r"(?i)^thanks for reading .{1,80}?[!.]? subscribe for free to receive new posts(?: and support (?:my|our) work)?\.?$",
    ),
    (
        "a share or subscribe button",
        r"(?i)^\W*(?:subscribe now|leave a comment|share this (?:post|article|story)|share|give a gift subscription|upgrade to paid|like loading\W*|like this|share this|teilen|diesen (?:artikel|beitrag) teilen|partager(?: cet article)?|compartir|condividi|(?:share|teilen|partager|compartir|condividi)(?: (?:this|it|on|via|auf|per|sur|en|su))?\s*:?(?:\s*(?:facebook|twitter|x|linkedin|whatsapp|pinterest|reddit|e-?mail|xing|telegram|bluesky|mastodon|threads|tumblr)\b\W*){1,8}|(?:like|liked|enjoy|enjoyed) this (?:article|post|story|episode)\?\s*(?:then )?(?:please )?share it[^.!?]{0,60}[.!]?|tweet(?: this)?|pin it|e-?mail this (?:article|post|story)|click to (?:share on|email|print)[^()]{0,60}(?:\(opens in (?:a )?new window\))?|(?:gefällt mir|j['’]aime|me gusta|mi piace)\W+(?:wird geladen|chargement|cargando|caricamento)\W*)\s*:?\s*$",
    ),
    (
        "a page control",
        // what a page's buttons say, left in the text: load more, print, rate, log in to comment;
        // a line of two or three of them ("Rezept drucken Bei Pinterest speichern")
        concat!(r"(?i)^\W*", page_control!(), r"(?:\W+", page_control!(), r"){0,2}\W*$"),
    ),
    (
        "an opinion disclaimer",
        r"(?i)^\W*(?:(?:the )?(?:views|opinions) expressed (?:here |in this (?:article|post|piece|column|blog) )?are (?:those of the author|the author['’]s own|solely (?:those )?of the author|my own)[^!?]{0,160}|(?:dieser|der) (?:beitrag|artikel|text|kommentar|gastbeitrag) gibt (?:ausschließlich |allein )?die (?:persönliche )?meinung de[rs] (?:autors?|autorin|verfasser(?:s|in)?|autor\*in)[^!?]{0,20} wieder[^!?]{0,120}|les opinions exprimées [^!?]{0,60}(?:n['’]engagent que|sont celles de) [^!?]{0,80}|las opiniones (?:expresadas|vertidas) [^!?]{0,80}(?:responsabilidad|corresponden)[^!?]{0,80})$",
    ),
    (
        "a newsletter sign-up line",
        r"(?i)^\W*(?:(?:(?:(?:never|don['’]t) miss [^.!?]{0,60}?|(?:stay|keep) (?:up to date|informed|in the loop)[^.!?]{0,40}?|get [^.!?]{0,60}?(?:delivered )?(?:to|in) your inbox[^.!?]{0,20}?)(?:\s*[-–—:,]\s*|\s+)(?:by |and )?)?(?:sign(?:ing)? up|subscrib(?:e|ing)|register(?:ing)?) (?:to|for) (?:our|the|my) (?:free |daily |weekly )?(?:e-?mail )?newsletter(?:\s+(?:today|now|here|below|for free|(?:to|and) (?:get|receive|never miss|stay)[^.!?]{0,50}))?\s*[.!]?|(?:jetzt |hier )?(?:für )?(?:unseren|den) (?:kostenlosen )?newsletter (?:anmelden|abonnieren)(?:\s+und [^.!?]{0,50})?\s*[.!]?|(?:melden sie sich|melde dich) (?:jetzt |hier )?(?:kostenlos )?(?:für )?(?:unseren|den) (?:kostenlosen )?newsletter an(?:\s+und [^.!?]{0,50})?\s*[.!]?|(?:abonnieren sie|abonniere) (?:jetzt )?(?:unseren|den) (?:kostenlosen )?newsletter(?:\s+und [^.!?]{0,50})?\s*[.!]?|suscr[ií]b(?:ete|ase) (?:a|en) (?:nuestro|el) (?:boletín|newsletter)[^.!?]{0,60}[.!]?)$",
    ),
    (
        "a \"follow us\" line",
        r"(?i)^\W*(?:(?:and )?don['’]?t forget to (?:subscribe|rate|review|like)\b[^.!?]{0,80}[.!]?|join (?:us|the conversation|the discussion|our community) (?:on|in) (?:discord|slack|telegram|reddit|mastodon|matrix|our (?:discord|slack|forum|community))[^.!?]{0,60}[.!]?|(?:(?:and )?don['’]?t forget to )?(?:follow (?:us|me)|folgen sie uns|folge uns|suivez-nous|síguenos|seguici) (?:on|auf|sur|en|su) [^.!?]{1,80}[.!]?|follow [^.!?]{1,40}? on (?:twitter|x|facebook|instagram|linkedin|tiktok|youtube|mastodon|threads|bluesky)(?:(?:\s*,\s*|\s+and\s+|\s*&\s*|\s+)(?:on\s+)?(?:twitter|x|facebook|instagram|linkedin|tiktok|youtube|mastodon|threads|bluesky|@[\w.]+))*\s*(?:[.!]\s*[^!?]{0,200})?)$",
    ),
    (
        "a \"posted in … | comments\" line",
        r"(?i)^(?:this entry was )?posted (?:in|under) [^.!?]{1,200}?(?:\|\s*(?:\d+|no|one) comments?\W*|\.\s*bookmark the permalink\.?)$",
    ),
    (
        "a request for support",
        r"(?i)^(?:if you (?:enjoyed|liked|like|enjoy|found) (?:this|my|our) [^.!?]{0,40}?,? )?(?:please )?(?:consider )?(?:support(?:ing)? (?:me|us|this (?:blog|site|newsletter|podcast)|my work|our work) (?:on|via|at) (?:patreon|ko-fi|buy me a coffee|substack|steady|liberapay)|becom(?:e|ing) a (?:patron|supporter|paid subscriber))[^.!?]{0,60}[.!]?$|^(?:please )?support (?:the|this|our|my) (?:show|podcast|channel)\b[^?]{0,160}$|^(?:get )?(?:bonus|exclusive) (?:content|episodes) on patreon[^.!?]{0,80}[.!]?$",
    ),
    (
        "a podcast host's footer",
        r"(?i)^(?:hosted (?:on|by) [^.!?]+\. see \S+ for (?:more )?(?:privacy )?information[^!?]*|see \S+ for (?:more )?privacy information|learn more about your ad[- ]?choices(?:\.\s*visit|\s+at)\s+\S+?|(?:listen|subscribe)(?: to (?:us|the show|the podcast|[^.!?]{1,40}?))? (?:on|in|via) (?:apple podcasts|itunes|spotify|google podcasts|overcast|pocket casts|stitcher)\b[^.!?]{0,120}|powered by [^.!?]{1,40})\.?$",
    ),
    ("a request for tips", r"(?i)^\W*(?:have|got) a (?:confidential )?(?:news )?tip\?[^?]{0,100}$"),
    (
        "a podcast player's links",
        r"(?i)^\W*(?:podcast\s*:\s*)?play in new window(?:\s*\|\s*download[^|]{0,80})?(?:\s*\|\s*embed)?\W*$",
    ),
    (
        "a media player's fallback text",
        r"(?i)^\W*(?:your browser does not support (?:the )?(?:html5 )?(?:audio|video)[^.!?]{0,40}|ihr browser unterstützt (?:das|den|die|kein(?:e|en)?) (?:html5[- ])?(?:audio|video)[^.!?]{0,40}|votre navigateur ne (?:prend pas en charge|supporte pas) [^.!?]{0,60}|tu navegador no (?:soporta|admite) [^.!?]{0,60}|\[(?:audio(?:-player| clip)?|video(?:-player)?)\s*:[^\]]{0,200}\])[.!]?$",
    ),
    (
        "a download link line",
        r"(?i)^\W*(?:direct download|direkter download|download(?: the)? (?:mp3|episode|audio|podcast)|download)\s*:?\s*(?:\S+\.(?:mp3|m4a|ogg|opus|aac))?(?:\s*\([^)]{0,40}\))?\W*$",
    ),
    (
        "a comments line",
        r"(?i)^\W*(?:no comments(?: yet)?|leave a (?:reply|comment)|schreibe einen kommentar|hinterlasse einen kommentar|laisser un commentaire|deja un comentario|lascia un commento|\d+ (?:comments?|kommentare?|commentaires?|comentarios?|commenti)|(?:comments?|kommentare?|commentaires?|comentarios?|commenti)\s*\(\d+\))\W*$",
    ),
    (
        "a reading-time line",
        r"(?i)^\W*(?:(?:(?:estimated )?reading time|lesezeit|lesedauer|temps de lecture|tiempo de lectura|tempo di lettura)\s*:?\s*(?:ca\.\s*)?\d+(?:\s*[-–]\s*\d+)?\s*(?:minutes?|minuten|minutos|minuti|min\.?)(?:\s*read)?|\d+\s*min(?:ute)?s? read)\W*$",
    ),
    (
        "a contact line",
        r"(?i)^\W*(?:send us (?:your )?|schickt uns (?:eure )?)?(?:feedback|questions?|comments?|contact|kontakt|fragen|anregungen|kritik|comentários|sugestões|commentaires|comentarios|sugerencias)\b[^@]{0,80}?(?:[\w.+-]+@[\w-]+\.[\w.]+|[\w.+-]+ ?[\(\[](?:at|ett)[\)\]] ?[\w-]+ ?[\(\[](?:dot|punkt)[\)\]] ?\w+)\W*$",
    ),
    ("an audio version line", r"(?i)^\W*listen to (?:the|an) audio version of this (?:article|story|post)\W*$"),
    ("a reddit footer", r"(?i)^(?:submitted by /?u/[\w-]+(?:\s*\[link\]\s*\[comments\])?|\[link\]\s*\[comments\])$"),
    (
        "an empty related-posts line",
        r"(?i)^(?:no related posts|keine (?:ähnlichen|verwandten) (?:beiträge|artikel)|no hay (?:entradas|artículos) relacionad[oa]s|aucun article (?:similaire|lié))\.?$",
    ),
    ("a copyright and permalink line", r"(?i)^(?:©|\(c\)|copyright)[^|]+\|\s*permalink\s*\|[^|]*$"),
    (
        "a copyright line",
        r"(?i)^\W*(?:copyright\s*(?:©|\(c\)|\d{4})[^!?]{0,120}|[^!?]{0,120}\b(?:all rights reserved|alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|tutti i diritti riservati))\.?\s*$",
    ),
];

/// How a boilerplate line that begins with the item's own words ends (a Medium footer begins
/// with the title): blocks that end so are tested against the patterns too. Lowercase.
pub const BOILERPLATE_ENDS: &[&str] = &[
    "responding to this story.",
    "responding to this story",
    "all rights reserved.",
    "all rights reserved",
    "alle rechte vorbehalten.",
    "tous droits réservés.",
    "bookmark the permalink.",
];

/// Patterns of `BOILERPLATE_PATTERNS` (by name) left out of their alternation and tried alone,
/// only when the text holds what the pattern cannot match without (its gate, any case). Their
/// long bounded gaps (`.{1,300}`, `[^!?]{0,120}`) made the alternation's automaton build many
/// more states for each new text: with them, it cost about twice as much per line.
pub const BOILERPLATE_GATES: &[(&str, &str)] = &[
    (
        "a photo credit",
        r"(?i)foto|photo|bild|image|credit|©|\(c\)|afp|dpa|reuters|picture[- ]alliance|imago|shutterstock|istock|keystone|epa|ddp",
    ),
    ("a \"more after the jump\" line", r"(?i)the (?:jump|fold|link)|nach dem klick|read on for"),
    ("a Medium footer", r"(?i)was originally published in"),
    (
        "a copyright line",
        r"(?i)copyright|all rights reserved|alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|tutti i diritti riservati",
    ),
];

/// How a long boilerplate line (one of `BOILERPLATE_PATTERNS` that is not a short "read more")
/// begins: blocks that start otherwise are not tested against the patterns at all.
pub const BOILERPLATE_STARTS: &[&str] = &[
    "never miss",
    "don't miss",
    "don’t miss",
    "stay up to date",
    "stay informed",
    "stay in the loop",
    "keep up to date",
    "keep informed",
    "keep in the loop",
    "get ",
    "sign up",
    "signing up",
    "subscribe to",
    "subscribe for",
    "subscribing to",
    "subscribing for",
    "register to",
    "register for",
    "registering to",
    "registering for",
    "jetzt für",
    "jetzt unseren",
    "jetzt den newsletter",
    "hier für",
    "für unseren",
    "für den newsletter",
    "unseren newsletter",
    "den newsletter",
    "melden sie sich",
    "melde dich",
    "abonniere",
    "the views expressed",
    "views expressed",
    "the opinions expressed",
    "opinions expressed",
    "der text",
    "dieser text",
    "der kommentar",
    "dieser kommentar",
    "dieser gastbeitrag",
    "der artikel",
    "les opinions",
    "las opiniones",
    "sie müssen",
    "thanks for reading",
    "follow ",
    "don't forget",
    "don’t forget",
    "and don't",
    "and don’t",
    "folge",
    "suivez",
    "síguenos",
    "seguici",
    "if you",
    "please",
    "consider",
    "support",
    "becom",
    "copyright",
    "first ",
    "the post",
    "der beitrag",
    "l'article",
    "l’article",
    "la entrada",
    "el post",
    "l'articolo",
    "l’articolo",
    "o post",
    "o artigo",
    "het bericht",
    "příspěvek",
    "сообщение",
    "запись",
    "artykuł",
    "wpis",
    "inlägget",
    "indlægget",
    "pos ",
    "artikel",
    "postingan",
    "this ",
    "was ",
    "originally",
    "published",
    "posted",
    "disclosure",
    "hinweis",
    "transparenz",
    "as an amazon",
    "dieser artikel",
    "dieser beitrag",
    "*affiliate",
    "affiliate",
    "view ",
    "read ",
    "open ",
    "lees ook",
    "foto",
    "photo",
    "bild",
    "image",
    "credit",
    "©",
    "à lire",
    "schon gelesen",
    "zum weiterlesen",
    "mira",
    "mire",
    "lea ",
    "lee ",
    "lies auch",
    "lesen sie auch",
    "auch interessant",
    "mehr zum thema",
    "see also",
    "related",
    "läs också",
    "lire aussi",
    "leer también",
    "leggi anche",
    "czytaj",
    "leia também",
    "čtěte také",
    "weiterlesen",
    "continue",
    "keep reading",
    "see more",
    "see the",
    "continúa",
    "sigue leyendo",
    "seguir leyendo",
    "lire la suite",
    "mehr lesen",
    "leggi ",
    "leia ",
    "lees ",
    "läs ",
    "læs ",
    "tag",
    "technorati",
    "filed ",
    "categor",
    "posted in",
    "schlagw",
    "stichw",
    "étiquettes",
    "mots-clés",
    "etiquetas",
    "[",
    "hosted ",
    "podcast:",
    "play in new window",
    "your browser",
    "ihr browser",
    "votre navigateur",
    "tu navegador",
    "direct download",
    "direkter download",
    "download",
    "got a",
    "have a",
    "no comments",
    "leave a",
    "schreibe",
    "hinterlasse",
    "laisser",
    "deja un",
    "lascia",
    "click to",
    "gefällt",
    "j'aime",
    "j’aime",
    "me gusta",
    "mi piace",
    "estimated",
    "reading time",
    "lesezeit",
    "lesedauer",
    "temps de",
    "tiempo de",
    "tempo di",
    "tweet",
    "pin it",
    "email this",
    "e-mail this",
    "comentários",
    "feedback",
    "question",
    "send us",
    "schickt uns",
    "kontakt",
    "contact",
    "fragen",
    "anregungen",
    "kritik",
    "commentaires",
    "comentarios",
    "sugest",
    "sugerencias",
    "il post",
    "el artículo",
    "the article",
    "werbehinweis",
    "disclaimer",
    "some of the links",
    "some links",
    "we may",
    "we receive",
    "we earn",
    "i may",
    "i receive",
    "i earn",
    "als amazon",
    "en tant que partenaire",
    "como afiliad",
    "in qualità di affiliato",
    "diese seite",
    "bei den links",
    "bei den mit",
    "click here",
    "share",
    "teilen",
    "partager",
    "compartir",
    "condividi",
    "like this",
    "liked this",
    "enjoy",
    "join ",
    "bonus",
    "exclusive",
    "see ",
    "listen",
    "subscribe ",
    "powered by",
    "header ",
    "cover ",
    "featured ",
    "suscr",
    "learn more",
    "submitted",
    "no related",
    "keine ähnlichen",
    "keine verwandten",
    "no hay ",
    "aucun article",
];

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
    "offer code",
    "promo code",
    "coupon code",
    "discount code",
    "use code",
    "% off",
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

/// Words that name a subscription or newsletter: a block at the end of an item that contains
/// one of these or of `PITCH_ASKS` and also links somewhere, addresses the reader or reads as a
/// promo is a pitch, not article text. Lowercase substrings.
pub const PITCH_NAMES: &[&str] = &[
    "newsletter",
    "börsenbrief",
    "subscription",
    // where a podcast is subscribed to ("subscribe in iTunes", "via iTunes abonnierbar")
    "itunes",
    "apple podcasts",
    "podcast app",
    "podcatcher",
    "feedcatcher",
];

/// Words that ask the reader to subscribe: they name a subscription too (see `PITCH_NAMES`),
/// and a trailing pitch has one of them, or of `PITCH_ASKS_ONLY`, somewhere.
pub const PITCH_ASKS: &[&str] = &[
    "get our newsletter",
    "get the newsletter",
    "join our newsletter",
    "join our mailing list",
    "join the mailing list",
    "abonnier",
    "subscribe",
    "sign up",
    "signup",
    "upgrade to paid",
    "forward this",
    "forward it to",
    "become a member",
    "werde mitglied",
    "werden sie mitglied",
    "devenez membre",
    "hazte miembro",
    "hazte socio",
    "diventa socio",
    "torne-se membro",
    "word lid",
    "support our journalism",
    "inscrivez",
    "abonnez",
    "suscríbete",
    "suscribirse",
    "iscriviti",
    "abonneer",
    "prenumerera",
    "tilmeld",
    "abonner",
    "zapisz się",
    "assine",
    "inscreva",
    "přihlaste",
    "odebírejte",
];

/// Words that make the ask after them a request to the reader ("if you want to become a
/// member", "don't forget to subscribe", "pensez à vous abonner").
pub const ASK_LEADS: &[&str] =
    &["want to", "forget to", "sure to", "please", "like to", "pensez à", "vergiss nicht", "vergessen sie nicht"];

/// Asks that do not name a subscription by themselves ("anmelden" is also for events).
pub const PITCH_ASKS_ONLY: &[&str] = &["anmelden", "melde dich", "melden sie sich", "registrier", "bestellen"];

/// `host/path-prefix` of video players whose iframes are kept (sandboxed); every other iframe
/// is removed. The sanitizer enforces the same list.
pub const VIDEO_EMBEDS: &[&str] = &[
    "www.youtube.com/embed/",
    "www.youtube-nocookie.com/embed/",
    "player.vimeo.com/video/",
    "www.dailymotion.com/embed/",
    "player.twitch.tv/",
    "embed.ted.com/",
    "w.soundcloud.com/player/",
];

/// The `sandbox` of a kept video iframe: the player runs, but cannot navigate the reader's
/// page, open forms or reach the parent document's origin.
pub const VIDEO_SANDBOX: &str = "allow-scripts allow-same-origin allow-presentation allow-popups";

/// Put before the title of an ad item kept with `ads = "mark"`.
pub const AD_MARK: &str = "[Ad] ";

/// The formal German address, capitalized inside a sentence (lowercase `sie`/`ihr` are
/// "she/they/her"). Matched case-sensitively, not after a sentence end.
pub const FORMAL_SECOND_PERSON: &[&str] = &["Sie", "Ihnen", "Ihr", "Ihre", "Ihren", "Ihrem", "Ihrer", "Ihres"];

/// An item whose title starts with one of these, or with a category holding one as a whole
/// word, is an ad as a whole.
pub const AD_ITEM_WORDS: &[&str] = &[
    "anzeige",
    "werbung",
    "sponsored",
    "gesponsert",
    "advertorial",
    "advertisement",
    "partner-content",
    "partner content",
    "partnercontent",
    "sponsored content",
    "sponsored post",
    "promoted",
    "paid post",
    "paid content",
    "publicité",
    "publicidad",
    "pubblicità",
    "reklama",
    "annons",
    "annonce",
    "reklame",
    "publicidade",
    "adv",
    "sponsor",
    "sponsor post",
    "sponsor content",
];

/// An item whose title is made of these words only ("Featured Advertiser", "Our Sponsor", "A
/// message from our sponsor") is an ad slot, whatever fills it; at least one word must be one
/// of `AD_ITEM_WORDS` or "advertiser"/"advertisers"/"sponsors".
pub const AD_TITLE_ONLY_WORDS: &[&str] = &[
    "featured",
    "advertiser",
    "advertisers",
    "sponsor",
    "sponsors",
    "sponsored",
    "advertisement",
    "ad",
    "ads",
    "anzeige",
    "werbung",
    "partner",
    "partners",
    "message",
    "from",
    "our",
    "a",
    "the",
    "today's",
    "this",
    "week's",
    "weekly",
    "promoted",
    "promotion",
    "paid",
    "post",
    "content",
];

/// An item whose title says it thanks its sponsor is the sponsor's post ("Thanks to Acme for
/// sponsoring", "Thank you, Acme, for sponsoring the feed"). Regexes over the lowercase title.
pub const AD_TITLE_PATTERNS: &[&str] = &[
    r"^(?:many |big |special )?(?:thanks|thank you)(?: to)?,? [^.!?]{1,60}? for sponsoring\b",
    r"^(?:our |this week'?s |today'?s )?(?:feed|site|blog|podcast|newsletter) sponsor\b",
];

/// An item that says of itself that it is an ad (a sponsored post, an advertorial, the
/// sponsor's thank-you post, an affiliate price list) is an ad as a whole. Regexes over the
/// lowercase text of the item (after cleaning). A story about sponsored content says "the
/// newspaper's sponsored posts", not "this post is sponsored".
pub const AD_SELF_DISCLOSURES: &[&str] = &[
    r"\b(?:this|the following) (?:post|article|review|story|piece|blog post) (?:is|was) (?:a )?(?:sponsored|paid for|paid|brought to you|produced in (?:partnership|cooperation|collaboration)|written in partnership)\b",
    r"\bintroduce [^.!?]{1,40} as (?:the|our) (?:newest |new )?sponsor\b",
    r"\b(?:newest|new) sponsor (?:of|to|for) (?:this|the|our) (?:blog|site|feed|podcast|newsletter)\b",
    r"\b(?:thanks|thank you)(?: to)?,? [^.!?]{1,60}? for sponsoring (?:this|the|our) (?:week'?s? )?(?:rss )?(?:feed|site|blog)\b",
    r"\bsupport(?: us| this site| [a-z]+)? by (?:purchasing|buying|shopping|ordering) (?:via|through|from|at) our\b",
    r"\bclicking through to the (?:vendor|seller|merchant|store)[^.!?]{0,60}\bhelps? support (?:this|the|our) (?:site|blog)\b",
    r"(?:^|\n)[^\n.!?]{0,40}\bad by [^\n.!?]{2,40}\s*$",
    r"\b(?:dieser|der folgende) (?:beitrag|artikel|text) (?:ist|wurde|entstand) [^.!?]{0,40}?\b(?:gesponsert|bezahlt|in kooperation|in zusammenarbeit|im auftrag)\b",
];

/// Words of an offer, in several languages (lowercase substrings): an item whose title shares
/// an affix with other items of its feed, most of them with two or more of these (or one and a
/// price), is one of the publisher's own promotions (`clean::learn`). Calls to buy, not words
/// that news and tutorials use as well ("store", "free", "download").
pub const OFFER_WORDS: &[&str] = &[
    "ticket",
    "register",
    "registration",
    "enroll",
    "early bird",
    "discount",
    "coupon",
    "promo code",
    "offer code",
    "% off",
    "buy now",
    "order now",
    "book now",
    "pre-order",
    "preorder",
    "on sale",
    "free trial",
    "sign up",
    "shop now",
    "get yours",
    "limited time",
    "merch",
    "anmeldung",
    "jetzt anmelden",
    "rabatt",
    "gutschein",
    "jetzt buchen",
    "jetzt bestellen",
    "jetzt kaufen",
    "vorverkauf",
    "billet",
    "inscription",
    "réduction",
    "entradas",
    "descuento",
    "biglietti",
    "sconto",
    "ingressos",
    "desconto",
];

/// Link path segments that mark an item as an ad.
pub const AD_LINK_SEGMENTS: &[&str] = &["anzeige", "sponsored", "advertorial", "werbung", "sponsored-content"];
