//! One-time messages after a change ("saved", "the call is logged"): the redirect that follows
//! a save names one in the URL (`notice=saved`) and the next page, whatever it is, shows it.
//! Only the names below are known; anything else shows nothing, so a link cannot put words
//! of its own on a page.

use crate::ui::{Flash, FlashKind, Layout};

/// The notice named in a page's query string, if any, as a message on the page.
pub fn from_query(layout: &mut Layout, query: Option<&str>) {
    let notice = super::list_query::ListQuery::parse(query);
    show(layout, notice.get("notice"));
}

/// `url` with `notice=<name>` added to its query, before any `#fragment`.
pub fn with_notice(url: &str, name: &str) -> String {
    let (path, fragment) = url.split_once('#').map_or((url, None), |(p, f)| (p, Some(f)));
    let joint = if path.contains('?') { '&' } else { '?' };
    let mut out = format!("{path}{joint}notice={name}");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// The message for a one-time `notice=…` in the URL, set by the redirect after a change
/// ("the view is saved", "the call is logged"); unknown notices show nothing.
fn show(layout: &mut Layout, notice: &str) {
    let (kind, key) = match notice {
        "created" => (FlashKind::Success, "flash-created"),
        "saved" => (FlashKind::Success, "flash-saved"),
        "deleted" => (FlashKind::Success, "flash-deleted"),
        "logged" => (FlashKind::Success, "notice-activity-logged"),
        "task-added" => (FlashKind::Success, "notice-task-added"),
        "note-added" => (FlashKind::Success, "notice-note-added"),
        "view-saved" => (FlashKind::Success, "notice-view-saved"),
        "view-deleted" => (FlashKind::Success, "notice-view-deleted"),
        "view-taken" => (FlashKind::Error, "error-view-taken"),
        "view-invalid" => (FlashKind::Error, "notice-view-invalid"),
        "owner-changed" => (FlashKind::Success, "notice-owner-changed"),
        "owner-refused" => (FlashKind::Error, "notice-owner-refused"),
        "contact-owner-refused" => (FlashKind::Error, "notice-contact-owner-refused"),
        "shared" => (FlashKind::Success, "notice-shared"),
        "unshared" => (FlashKind::Success, "notice-unshared"),
        "share-refused" => (FlashKind::Error, "notice-share-refused"),
        "access-requested" => (FlashKind::Success, "notice-access-requested"),
        "call-logged" => (FlashKind::Success, "notice-call-logged"),
        "stage-moved" => (FlashKind::Success, "notice-stage-moved"),
        "closed-with-tasks" => (FlashKind::Success, "notice-closed-with-tasks"),
        _ => return,
    };
    let message = layout.t(key);
    layout.flashes.push(Flash { kind, message });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_joins_the_query_before_the_fragment() {
        assert_eq!(with_notice("/deals/5", "saved"), "/deals/5?notice=saved");
        assert_eq!(with_notice("/tasks?assignee=me", "saved"), "/tasks?assignee=me&notice=saved");
        assert_eq!(with_notice("/deals/5#timeline", "call-logged"), "/deals/5?notice=call-logged#timeline");
    }

    #[test]
    fn only_known_notices_show() {
        let mut layout = Layout::new(crate::ui::Locale::Ru, "t");
        from_query(&mut layout, Some("notice=%3Cscript%3E"));
        assert!(layout.flashes.is_empty());
        from_query(&mut layout, Some("notice=saved"));
        assert_eq!(layout.flashes.len(), 1);
    }
}
