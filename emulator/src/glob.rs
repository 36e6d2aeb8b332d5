//! `picomatch.isMatch(value, pattern)` with picomatch's defaults, as Infisical's OIDC login
//! matches a subject or claim against a bound glob: `/` separates segments, `*` is any run
//! within a segment, `?` one character of it, `[…]` a class (`!` or `^` negates), `{a,b}`
//! alternatives, `**` as a whole segment any number of segments, a leading `!` negates the
//! pattern, `\` escapes; a wildcard that starts a segment matches neither nothing nor a leading
//! `.` (picomatch's `dot: false`). Extglobs (`@(…)`, `+(…)`) and ranges (`{1..3}`) are not
//! supported. A leaf: it imports nothing of the crate.

/// One element of a segment's pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// `*`.
    Star,
    /// `?`.
    One,
    /// `[…]`: ranges and characters, negated or not.
    Class(Vec<(char, char)>, bool),
}

/// Expands the first `{a,b,…}` of `pattern` (recursively), as braces expand before matching.
fn expand_braces(pattern: &str) -> Vec<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut depth = 0;
    let mut open = None;
    let mut commas = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '{' => {
                if depth == 0 {
                    open = Some(i);
                    commas.clear();
                }
                depth += 1;
            }
            ',' if depth == 1 => commas.push(i),
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0
                    && let Some(start) = open
                    && !commas.is_empty()
                {
                    let prefix: String = chars[..start].iter().collect();
                    let suffix: String = chars[i + 1..].iter().collect();
                    let mut bounds = vec![start];
                    bounds.extend(&commas);
                    bounds.push(i);
                    return bounds
                        .windows(2)
                        .flat_map(|w| {
                            let middle: String = chars[w[0] + 1..w[1]].iter().collect();
                            expand_braces(&format!("{prefix}{middle}{suffix}"))
                        })
                        .collect();
                }
            }
            _ => {}
        }
        i += 1;
    }
    vec![pattern.to_owned()]
}

/// A segment's pattern as tokens.
fn tokens(segment: &str) -> Vec<Token> {
    let chars: Vec<char> = segment.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                out.push(Token::Literal(chars[i + 1]));
                i += 1;
            }
            '*' => {
                // `**` inside a segment is one star.
                if out.last() != Some(&Token::Star) {
                    out.push(Token::Star);
                }
            }
            '?' => out.push(Token::One),
            '[' => match class(&chars[i + 1..]) {
                Some((token, used)) => {
                    out.push(token);
                    i += used;
                }
                None => out.push(Token::Literal('[')),
            },
            c => out.push(Token::Literal(c)),
        }
        i += 1;
    }
    out
}

/// A class after its `[`: the token and how many characters it took (its `]` included).
fn class(chars: &[char]) -> Option<(Token, usize)> {
    let mut i = 0;
    let negated = matches!(chars.first(), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    while i < chars.len() {
        let c = chars[i];
        if c == ']' && !first {
            return Some((Token::Class(ranges, negated), i + 1));
        }
        first = false;
        if i + 2 < chars.len() && chars[i + 1] == '-' && chars[i + 2] != ']' {
            ranges.push((c, chars[i + 2]));
            i += 3;
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
    None
}

/// Whether `text` (one segment) matches `pattern` from their starts; `at_start`: the pattern is
/// at the segment's start, where wildcards do not match a leading dot.
fn match_segment(pattern: &[Token], text: &[char], at_start: bool) -> bool {
    let Some((token, rest)) = pattern.split_first() else {
        return text.is_empty();
    };
    let dot_guard = at_start && text.first() == Some(&'.');
    match token {
        Token::Literal(c) => text.first() == Some(c) && match_segment(rest, &text[1..], false),
        Token::One => !text.is_empty() && !dot_guard && match_segment(rest, &text[1..], false),
        Token::Class(ranges, negated) => {
            let Some(&c) = text.first() else {
                return false;
            };
            let inside = ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi);
            inside != *negated && !dot_guard && match_segment(rest, &text[1..], false)
        }
        Token::Star => {
            if dot_guard {
                return false;
            }
            // At a segment's start, a star alone must match something.
            let least = usize::from(at_start && rest.is_empty());
            (least..=text.len()).any(|k| match_segment(rest, &text[k..], false))
        }
    }
}

/// Whether the text segments match the pattern segments (`**` any number of them, none starting
/// with a dot).
fn match_segments(pattern: &[&str], text: &[&str]) -> bool {
    let Some((first, rest)) = pattern.split_first() else {
        return text.is_empty();
    };
    if *first == "**" {
        return (0..=text.len()).any(|k| {
            text[..k].iter().all(|s| !s.starts_with('.')) && match_segments(rest, &text[k..])
        });
    }
    let Some((segment, others)) = text.split_first() else {
        return false;
    };
    let chars: Vec<char> = segment.chars().collect();
    match_segment(&tokens(first), &chars, true) && match_segments(rest, others)
}

/// `picomatch.isMatch(text, pattern)`.
pub(crate) fn is_match(text: &str, pattern: &str) -> bool {
    if let Some(negated) = pattern.strip_prefix('!')
        && !negated.starts_with('(')
    {
        return !is_match(text, negated);
    }
    let text: Vec<&str> = text.split('/').collect();
    expand_braces(pattern).iter().any(|expanded| {
        let pattern: Vec<&str> = expanded.split('/').collect();
        match_segments(&pattern, &text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_stays_within_a_segment() {
        let sub = "repo:octo-org/octo-repo:ref:refs/heads/main";
        assert!(is_match(sub, "repo:octo-org/octo-repo:ref:refs/heads/*"));
        assert!(is_match(sub, "repo:octo-org/*:ref:refs/heads/main"));
        assert!(
            !is_match(sub, "repo:octo-org/octo-repo:*"),
            "`*` does not cross `/`"
        );
        assert!(
            !is_match(sub, "repo:octo-org/octo-repo:**"),
            "nor does `**` inside a segment"
        );
        assert!(is_match(sub, "repo:octo-org/**"));
        assert!(is_match(
            "repo:octo-org/octo-repo:environment:prod",
            "repo:octo-org/octo-repo:*"
        ));
        assert!(!is_match(
            "repo:other/octo-repo:environment:prod",
            "repo:octo-org/*"
        ));
    }

    #[test]
    fn classes_alternatives_questions_and_negation() {
        assert!(is_match("refs/heads/main", "refs/heads/{main,release}"));
        assert!(is_match("refs/heads/release", "refs/heads/{main,release}"));
        assert!(!is_match("refs/heads/dev", "refs/heads/{main,release}"));
        assert!(is_match("v1", "v[0-9]"));
        assert!(!is_match("vx", "v[0-9]"));
        assert!(is_match("vx", "v[!0-9]"));
        assert!(is_match("ab", "a?"));
        assert!(!is_match("a", "a?"));
        assert!(is_match("dev", "!prod"));
        assert!(!is_match("prod", "!prod"));
        assert!(is_match("a*b", "a\\*b"));
        assert!(!is_match("axb", "a\\*b"));
    }

    #[test]
    fn wildcards_do_not_match_a_leading_dot_or_an_empty_segment() {
        assert!(!is_match(".github", "*"));
        assert!(is_match("x.github", "*"));
        assert!(!is_match("a/", "a/*"));
        assert!(is_match("a", "a/**"));
        assert!(is_match("a/b/c", "a/**/c"));
        assert!(is_match("a/c", "a/**/c"));
        assert!(!is_match("a/.b/c", "a/**/c"));
    }
}
