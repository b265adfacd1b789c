//! The quality guard: is what the extractor found the article the feed's teaser announced?
//!
//! An extraction is rejected (and the feed's own content kept) when it is
//! - a consent wall, a paywall or an "enable JavaScript" page: short, and saying so;
//! - far shorter than the teaser, or nearly empty;
//! - missing the teaser's first sentence (most teasers are the article's lead, or a light
//!   rewording of it: most of the sentence's words must be in the article's opening).
//!
//! Pure: text in, a verdict out.

/// Pages whose text is this short are checked for consent, paywall and JavaScript notices (a
/// long article that mentions cookies is still an article).
const NOTICE_PAGE_CHARS: usize = 1_500;
/// An article has at least this many words.
const MIN_WORDS: usize = 25;
/// Share of the teaser sentence's words that must be in the article's opening.
const TEASER_WORD_SHARE: f64 = 0.6;
/// How much of the article the teaser sentence is looked for in (a lead, or close to it).
const OPENING_WORDS: usize = 400;

/// Notices that make a short page not an article, lowercased.
const NOTICES: &[(&str, &str)] = &[
    ("consent page", "cookies"),
    ("consent page", "zustimmen"),
    ("consent page", "einwilligung"),
    ("consent page", "datenschutzeinstellungen"),
    ("consent page", "accept all"),
    ("consent page", "alle akzeptieren"),
    ("consent page", "consent"),
    ("paywall", "subscribe to continue"),
    ("paywall", "subscribers only"),
    ("paywall", "for subscribers"),
    ("paywall", "nur für abonnenten"),
    ("paywall", "jetzt weiterlesen"),
    ("paywall", "abo abschließen"),
    ("paywall", "bereits abonnent"),
    ("paywall", "already a subscriber"),
    ("paywall", "sign in to read"),
    ("javascript page", "enable javascript"),
    ("javascript page", "javascript aktivieren"),
    ("javascript page", "javascript is disabled"),
    ("javascript page", "javascript ist deaktiviert"),
];

/// Why an extraction is not kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// A consent wall, paywall or JavaScript shell (the kind).
    #[error("a {0}, not the article")]
    Notice(&'static str),
    /// Fewer words than an article has, or far fewer than the teaser.
    #[error("{words} words, too short for an article (the teaser has {teaser_words})")]
    TooShort { words: usize, teaser_words: usize },
    /// The teaser's first sentence is not in the article's opening.
    #[error("the teaser's first sentence is not in it")]
    TeaserMissing,
}

/// Judges an extracted article's text against the feed's teaser text (either may be empty).
pub fn judge(article: &str, teaser: &str) -> Result<(), Rejection> {
    let words = words(article);
    let teaser_words = words_count(teaser);
    if article.len() <= NOTICE_PAGE_CHARS {
        let lower = article.to_lowercase();
        if let Some((kind, _)) = NOTICES.iter().find(|(_, n)| lower.contains(n)) {
            return Err(Rejection::Notice(kind));
        }
    }
    if words.len() < MIN_WORDS || words.len() * 2 < teaser_words {
        return Err(Rejection::TooShort { words: words.len(), teaser_words });
    }
    let Some(sentence) = first_sentence(teaser) else { return Ok(()) };
    let wanted: Vec<String> = self::words(sentence).into_iter().filter(|w| w.chars().count() >= 3).collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let opening: std::collections::HashSet<&str> = words.iter().take(OPENING_WORDS).map(String::as_str).collect();
    let found = wanted.iter().filter(|w| opening.contains(w.as_str())).count();
    if (found as f64) < TEASER_WORD_SHARE * wanted.len() as f64 {
        return Err(Rejection::TeaserMissing);
    }
    Ok(())
}

/// A paywall or JavaScript notice anywhere in a page's text, for a short extraction: the
/// extractor may have dropped the notice as boilerplate and kept only the free teaser. Consent
/// banners do not count here: most pages carry one beside a real article.
pub fn page_notice(page_text: &str) -> Option<Rejection> {
    let lower = page_text.to_lowercase();
    NOTICES
        .iter()
        .filter(|(kind, _)| *kind != "consent page")
        .find(|(_, n)| lower.contains(n))
        .map(|(kind, _)| Rejection::Notice(kind))
}

/// Is an article this short that `page_notice` should be asked?
pub fn is_short(article: &str) -> bool {
    article.len() <= NOTICE_PAGE_CHARS
}

/// Lowercased words (letters and digits).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

fn words_count(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).count()
}

/// The teaser's first sentence: up to the first `.`, `!` or `?` followed by a space (or the
/// end), at most 300 characters. `None` for an empty teaser.
fn first_sentence(teaser: &str) -> Option<&str> {
    let t = teaser.trim();
    if t.is_empty() {
        return None;
    }
    let end = t
        .char_indices()
        .find(|&(i, c)| matches!(c, '.' | '!' | '?') && t[i + c.len_utf8()..].starts_with(char::is_whitespace))
        .map_or(t.len(), |(i, c)| i + c.len_utf8());
    let end = t.char_indices().nth(300).map_or(end, |(i, _)| end.min(i));
    Some(&t[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "Das Hallenbad an der Lindenstraße öffnet ein Jahr später als geplant. \
        Wie die Stadtwerke am Dienstag mitteilten, verzögert sich die Sanierung wegen fehlender \
        Bauteile für die Lüftungsanlage. Die Kosten steigen nach ersten Schätzungen um rund \
        800.000 Euro. Schulen und Vereine müssen weiter in das Nachbarbad ausweichen, wo die \
        Zeiten knapp sind. Der Stadtrat will im Herbst über die Mehrkosten beraten.";

    #[test]
    fn the_article_of_its_teaser_is_kept() {
        assert_eq!(
            judge(ARTICLE, "Das Hallenbad an der Lindenstraße öffnet ein Jahr später als geplant. Mehr dazu."),
            Ok(())
        );
        // a reworded teaser: most of its words are there
        assert_eq!(judge(ARTICLE, "Hallenbad Lindenstraße öffnet erst ein Jahr später als geplant"), Ok(()));
        assert_eq!(judge(ARTICLE, ""), Ok(()), "no teaser, nothing to compare");
    }

    #[test]
    fn another_text_is_rejected() {
        assert_eq!(
            judge(ARTICLE, "Der Bürgermeister eröffnet den neuen Spielplatz im Westpark."),
            Err(Rejection::TeaserMissing)
        );
    }

    #[test]
    fn notices_and_short_pages_are_rejected() {
        let consent = "Bevor Sie fortfahren: Wir verwenden Cookies und ähnliche Technologien. Mit \
            Zustimmen und weiter willigen Sie ein. Sie können Ihre Einwilligung jederzeit widerrufen.";
        assert_eq!(judge(consent, "Das Hallenbad öffnet später."), Err(Rejection::Notice("consent page")));
        let paywall = "Das Hallenbad an der Lindenstraße öffnet ein Jahr später als geplant. This \
            article is for subscribers only. Subscribe to continue reading.";
        assert_eq!(
            judge(paywall, "Das Hallenbad an der Lindenstraße öffnet ein Jahr später als geplant."),
            Err(Rejection::Notice("paywall"))
        );
        assert_eq!(judge("Please enable JavaScript to view this page.", ""), Err(Rejection::Notice("javascript page")));
        assert!(matches!(
            judge("Loading", "A teaser of some length, with more words than that."),
            Err(Rejection::TooShort { .. })
        ));
        // a long article that mentions cookies is still an article
        let long = format!("{ARTICLE} Cookies backen die Bäcker der Stadt auch. {}", ARTICLE.repeat(4));
        assert_eq!(judge(&long, "Das Hallenbad an der Lindenstraße öffnet ein Jahr später als geplant."), Ok(()));
    }

    #[test]
    fn first_sentences() {
        assert_eq!(first_sentence("Eins. Zwei."), Some("Eins."));
        assert_eq!(first_sentence("Kurs 3.5 Prozent höher! Dann"), Some("Kurs 3.5 Prozent höher!"));
        assert_eq!(first_sentence("  "), None);
        assert_eq!(first_sentence("Ohne Punkt"), Some("Ohne Punkt"));
    }
}
