//! The extractor's rule tables, as DATA: what marks a part of a page as never the article.
//! General German and English web vocabulary only; no site is named here.

/// Elements that are never the article, wherever they are (their contents included).
pub const DROP_TAGS: &[&str] =
    &["nav", "aside", "figcaption", "form", "dialog", "menu", "button", "select", "textarea", "iframe"];

/// `role` values of page furniture.
pub const DROP_ROLES: &[&str] =
    &["navigation", "complementary", "banner", "contentinfo", "search", "dialog", "alertdialog", "menu", "menubar"];

/// Words of `class`/`id` (split at `-`, `_`, space, camelCase not split) that mark boilerplate.
/// Matched against whole words, so `comment` does not catch `commentary`.
pub const DROP_WORDS: &[&str] = &[
    // consent and cookie banners
    "cookie",
    "cookies",
    "cookiebanner",
    "consent",
    "gdpr",
    "cmp",
    "privacy-banner",
    // share bars
    "share",
    "shares",
    "sharing",
    "sharebar",
    "shariff",
    "socialshare",
    "social",
    "sociallinks",
    // related / recommended rails
    "related",
    "recommended",
    "recommendations",
    "recommendation",
    "outbrain",
    "taboola",
    "mostread",
    "most-read",
    "popular",
    "trending",
    "teaserlist",
    "morelinks",
    // newsletter and subscription boxes
    "newsletter",
    "newsletterbox",
    "subscribe",
    "signup",
    // comments
    "comments",
    "comment",
    "kommentare",
    "kommentar",
    "disqus",
    "respond",
    // navigation furniture
    "breadcrumb",
    "breadcrumbs",
    "pagination",
    "pager",
    "skiplink",
    "skip-link",
    "sidebar",
    "toolbar",
    "masthead",
    "topbar",
    // image captions, photo credits and galleries (the article's text is not in them)
    "caption",
    "captions",
    "credit",
    "credits",
    "copyright",
    "gallery",
    "slideshow",
    // bylines and date lines above the article
    "byline",
    "bylines",
    "timestamp",
    "dateline",
    "date",
    "dates",
    "meta",
    "storydate",
    "pubdate",
    // author boxes after the article
    "authorbox",
    "author-box",
    "author-bio",
];

/// Words that, beside "author" in one class/id token, name a box about the author (see
/// `prune::about_the_author`).
pub const AUTHOR_BOX_WORDS: &[&str] = &["box", "bio", "info", "description", "about", "details", "card"];

/// Two-word class/id phrases (`word1-word2`), checked on the joined words.
pub const DROP_PHRASES: &[&str] = &[
    "author-box",
    "author-bio",
    "about-author",
    "post-navigation",
    "nav-links",
    "read-more",
    "more-articles",
    "further-reading",
    "site-header",
    "site-footer",
    "page-footer",
    "page-header",
    "related-posts",
    "you-may-like",
    "mehr-zum-thema",
    "weitere-artikel",
    "weitere-nachrichten",
    "most-read",
    "meist-gelesen",
    "skip-link",
    "privacy-banner",
];

/// Endings of a class/id word that mark furniture when the word is not split (`newsCaption`,
/// `imagecredit`, `photoCredits`): matched case-insensitively, as a part of a token.
pub const DROP_SUFFIXES: &[&str] = &["caption", "credit", "credits"];

/// Headings that open a rail of other stories or the comments (lower case, trailing `:` dropped).
pub const RAIL_HEADINGS: &[&str] = &[
    "mehr zum thema",
    "das könnte sie auch interessieren",
    "das könnte dich auch interessieren",
    "weitere nachrichten",
    "weitere artikel",
    "weitere themen",
    "auch interessant",
    "lesen sie auch",
    "lesen sie mehr",
    "meistgelesen",
    "meist gelesen",
    "am meisten gelesen",
    "top-artikel",
    "neueste artikel",
    "ähnliche artikel",
    "verwandte artikel",
    "empfehlungen",
    "kommentare",
    "leserkommentare",
    "diskutieren sie mit",
    "newsletter",
    "related",
    "related stories",
    "related articles",
    "related posts",
    "related content",
    "read more",
    "read next",
    "more from",
    "more stories",
    "more news",
    "you may also like",
    "you might also like",
    "recommended",
    "recommended for you",
    "most read",
    "most popular",
    "trending",
    "popular",
    "comments",
    "leave a comment",
    "leave a reply",
    "join the conversation",
    "share this",
    "share this article",
    "teilen",
    "artikel teilen",
    "sign up for our newsletter",
    "top stories",
    "most read stories",
    "latest news",
    "tags",
    "schlagwörter",
    "themen",
    "weitere meldungen",
    "mehr nachrichten",
    "nicht verpassen",
    "schon gelesen",
    "zum weiterlesen",
    "weiterführende links",
    "weiterführender link",
    "auch lesenswert",
    "das könnte sie interessieren",
    "über den autor",
    "über die autorin",
    "about the author",
    "lire aussi",
    "à lire aussi",
    "sur le même sujet",
    "temas relacionados",
    "artículos relacionados",
    "noticias relacionadas",
    "te puede interesar",
    "lee también",
    "leggi anche",
    "articoli correlati",
];

/// Rail headings that open the comments: what follows them in their container is readers'
/// text, prose as long as the article's, so it goes whatever its links (unless it holds the
/// article).
pub const COMMENT_HEADINGS: &[&str] = &[
    "kommentare",
    "leserkommentare",
    "diskutieren sie mit",
    "comments",
    "leave a comment",
    "leave a reply",
    "join the conversation",
];

/// Heading beginnings that open such a rail ("Top stories in Politics", "Mehr aus Hamburg").
pub const RAIL_PREFIXES: &[&str] = &[
    "top stories in ",
    "more from ",
    "more in ",
    "more on ",
    "mehr aus ",
    "mehr von ",
    "mehr zu ",
    "most read in ",
    "latest in ",
];

/// Attributes that hold the real URL of a lazy image, best first.
pub const LAZY_SRC: &[&str] =
    &["data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-hi-res-src", "data-full-src"];
/// Attributes that hold the real `srcset` of a lazy image.
pub const LAZY_SRCSET: &[&str] = &["data-srcset", "data-lazy-srcset"];

/// JSON-LD `@type`s that describe an article.
pub const ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "reportage",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "techarticle",
    "scholarlyarticle",
    "report",
    "webpage",
];

/// Words of a class/id (split at `-`, `_`) that name an article's lead, the paragraph between
/// headline and body that the scorer often leaves behind ("ts-intro", "article-lead",
/// "chapo", "field-name-field-abstract").
pub const LEAD_WORDS: &[&str] = &[
    "lead",
    "intro",
    "teaser",
    "standfirst",
    "chapo",
    "abstract",
    "summary",
    "excerpt",
    "deck",
    "kicker-text",
    "subline",
];

/// Class/id tokens that mark an article's body (beside `itemprop="articleBody"`).
pub const BODY_MARKS: &[&str] = &[
    "entry-content",
    "post-content",
    "article-body",
    "article-content",
    "articlebody",
    "article__body",
    "article-text",
    "story-body",
    "story-content",
    "post-body",
    "postbody",
    "entry-body",
    "article__content",
    "td-post-content",
    "post-entry",
    "blog-post-body",
    "news-text",
    "artikel-text",
    "text-body",
];
