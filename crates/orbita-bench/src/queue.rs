//! The job queue's lines: a stage move that sets off five rules (the rules' work is queued in
//! the move's write, so the move should cost what a plain one does), and how many simple jobs
//! per second the server's own worker gets through.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use orbita_app::jobs::{self, Work};
use orbita_domain::automation::{Assignee, RuleAction, RuleFields, TaskTemplate, Trigger};
use orbita_domain::now;
use orbita_domain::pipeline::StageKind;
use orbita_domain::task::TaskPriority;
use orbita_storage::{automation, pipelines};

use crate::measure::Stats;
use crate::ops::{Ctx, Role};
use crate::run::{Kind, Line, Outcome};

/// Rules set off by each stage move of the second move line.
pub const RULES_PER_STAGE: usize = 5;

/// Puts [`RULES_PER_STAGE`] rules on each open stage of the bench pipeline. Their condition
/// (an amount below zero) never holds, so their runs are skipped and the data set gets no tasks;
/// the move still finds and queues them all. Returns their ids, for [`remove_rules`].
pub async fn add_rules(ctx: &Ctx) -> anyhow::Result<Vec<i64>> {
    let stages = pipelines::stages(&ctx.db).await?;
    let open = stages.iter().filter(|s| s.pipeline_id == ctx.pipeline.id && s.kind == StageKind::Open);
    let mut tx = ctx.db.begin().await?;
    let mut ids = Vec::new();
    for stage in open {
        for n in 1..=RULES_PER_STAGE {
            let fields = RuleFields {
                name: format!("bench {n}"),
                active: true,
                pipeline_id: ctx.pipeline.id,
                stage_id: Some(stage.id),
                trigger: Trigger::StageEntered,
                trigger_field: None,
                condition: Some(r#"{"field":"amount","op":"lt","value":"0"}"#.to_owned()),
                delay_minutes: 0,
                action: RuleAction::SetTask,
                target_stage_id: None,
                set_field: None,
                set_value: None,
                webhook_id: None,
                task: TaskTemplate {
                    title: "bench: {title}".to_owned(),
                    description: None,
                    assignee: Assignee::DealOwner,
                    due_minutes: None,
                    due_working: false,
                    due_field: None,
                    priority: TaskPriority::Normal,
                },
            };
            ids.push(automation::insert(&mut tx, &fields, now()).await?);
        }
    }
    tx.commit().await?;
    Ok(ids)
}

/// Takes the bench's rules away again (the large data set is kept between runs).
pub async fn remove_rules(ctx: &Ctx, ids: &[i64]) -> anyhow::Result<()> {
    wait_for_idle(ctx).await?;
    let mut tx = ctx.db.begin().await?;
    for id in ids {
        automation::delete(&mut tx, *id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Waits until no job is due or running (the rules' jobs of the move lines). Jobs queued for
/// later (the e-mail batches of the overdue notices the server sent at start) are left.
async fn wait_for_idle(ctx: &Ctx) -> anyhow::Result<()> {
    let started = Instant::now();
    while busy(ctx).await? {
        if started.elapsed() > Duration::from_secs(300) {
            bail!("the queue did not empty in five minutes");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// Queues `jobs` simple jobs in one write (an e-mail batch for a user with nothing waiting: a
/// read and an empty transaction each) and times the server's worker through them, from its
/// first claim to the last one done.
pub async fn throughput(ctx: &Ctx, jobs: usize) -> Line {
    let line = |outcome| Line {
        title: "job queue: simple jobs through one server".into(),
        role: Role::Admin,
        kind: Kind::Queue { jobs },
        outcome,
        rss_mb: None,
    };
    let rate = |elapsed: Duration| {
        let mut stats = Stats::from_samples(vec![elapsed], elapsed);
        stats.per_sec = jobs as f64 / elapsed.as_secs_f64().max(1e-9);
        stats
    };
    match drain(ctx, jobs).await {
        Ok(elapsed) => {
            let floor = in_process(ctx, jobs).await.map(rate).map_err(|error| format!("{error:#}"));
            line(Outcome::Done { server: rate(elapsed), floor })
        }
        Err(error) => line(Outcome::Failed(format!("{error:#}"))),
    }
}

/// The floor: the same jobs run in-process by `jobs::run_due_at`, queued a day ahead so the
/// server's worker leaves them alone, and run "a day later".
async fn in_process(ctx: &Ctx, jobs: usize) -> anyhow::Result<Duration> {
    let later = now() + chrono::Duration::days(1);
    let work = Work::NotificationMail { user_id: ctx.admin.user_id.0 };
    let mut tx = ctx.db.begin().await?;
    for _ in 0..jobs {
        jobs::enqueue_in(&mut tx, &work, later).await.context("queueing")?;
    }
    tx.commit().await?;
    let started = Instant::now();
    while jobs::run_due_at(&ctx.db, "orbita-bench", later).await? > 0 {}
    Ok(started.elapsed())
}

/// Whether any job is due or running. Waiting is asked first: a job claimed between the two
/// questions is then still seen running, where the other order would miss it.
async fn busy(ctx: &Ctx) -> anyhow::Result<bool> {
    let db = &ctx.db;
    Ok(orbita_storage::jobs::any_waiting(db, now()).await? || orbita_storage::jobs::any_running(db).await?)
}

async fn drain(ctx: &Ctx, jobs: usize) -> anyhow::Result<Duration> {
    wait_for_idle(ctx).await?;
    let work = Work::NotificationMail { user_id: ctx.admin.user_id.0 };
    let mut tx = ctx.db.begin().await?;
    for _ in 0..jobs {
        jobs::enqueue_in(&mut tx, &work, now()).await.context("queueing")?;
    }
    tx.commit().await?;
    let deadline = Instant::now() + Duration::from_secs(600);
    // The worker looks for work every two seconds when idle: the clock starts when it holds
    // its first jobs and stops when none is waiting or running. Both are asked every 20 ms as
    // "is there one" through the queue's indexes: counting 20,000 waiting jobs each time would
    // load the database the worker is timed on.
    let mut first_claim = None;
    loop {
        let running = orbita_storage::jobs::any_running(&ctx.db).await?;
        if first_claim.is_none() && running {
            first_claim = Some(Instant::now());
        }
        if !running && !busy(ctx).await? {
            return Ok(first_claim.map_or(Duration::ZERO, |at| at.elapsed()));
        }
        if Instant::now() > deadline {
            bail!("jobs still waiting after ten minutes");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
