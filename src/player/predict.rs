//! Predict mode's state machine: before a key step the run pauses and asks its questions one
//! after the other; an answer is taken once and scored; when the last question of the step is
//! closed, the step runs and the run plays on to the next key step.
//!
//! Pure: the page keeps one [`Predict`] in a signal and calls these methods inside updates;
//! finding the next key step (looking ahead in the run) is the player's job, and what a question
//! says is the view's ([`crate::view::predict`]): here a question is anything [`Asked`].

/// What the state machine needs of a question.
pub trait Asked {
    /// How many choices it offers.
    fn choice_count(&self) -> usize;
    /// The index of the right one.
    fn right_choice(&self) -> usize;
}

/// How many predictions were right so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Score {
    /// Right answers.
    pub right: u32,
    /// Questions answered.
    pub asked: u32,
}

/// Predict mode's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Predict<Q> {
    /// Whether predict mode is on.
    pub on: bool,
    /// The questions about the step the run waits before (asked one after the other).
    pub questions: Vec<Q>,
    /// Whether the run has reached that step and the first question is shown.
    pub asking: bool,
    /// The answer picked for the question shown.
    pub picked: Option<usize>,
    /// The score of this run.
    pub score: Score,
}

/// What closing the question shown leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterQuestion {
    /// No question was shown: nothing changes.
    NothingAsked,
    /// Another question about the same step is shown.
    NextQuestion,
    /// That was the step's last question: the step runs and the run plays on.
    StepRuns,
}

impl<Q> Default for Predict<Q> {
    fn default() -> Self {
        Predict {
            on: false,
            questions: Vec::new(),
            asking: false,
            picked: None,
            score: Score::default(),
        }
    }
}

impl<Q: Asked> Predict<Q> {
    /// Switches predict mode on or off; any question pending is dropped (the score stays).
    pub fn set_on(&mut self, on: bool) {
        self.on = on;
        self.arm(Vec::new());
    }

    /// A new run: no question, and the score starts again.
    pub fn new_run(&mut self) {
        self.score = Score::default();
        self.arm(Vec::new());
    }

    /// The questions about the next key step, not shown until the run reaches it.
    pub fn arm(&mut self, questions: Vec<Q>) {
        self.questions = questions;
        self.asking = false;
        self.picked = None;
    }

    /// The run has reached the key step: show its first question, if it has one. Returns
    /// whether a question is shown (the clock must then stop).
    pub fn ask(&mut self) -> bool {
        self.asking = !self.questions.is_empty();
        self.asking
    }

    /// Picks `choice` for the question shown. Only the first pick counts, and only a choice the
    /// question offers; returns whether it was taken.
    pub fn answer(&mut self, choice: usize) -> bool {
        let Some(q) = self.questions.first() else {
            return false;
        };
        if !self.asking || self.picked.is_some() || choice >= q.choice_count() {
            return false;
        }
        self.picked = Some(choice);
        self.score.asked += 1;
        if choice == q.right_choice() {
            self.score.right += 1;
        }
        true
    }

    /// Closes the question shown.
    pub fn close_question(&mut self) -> AfterQuestion {
        if !self.asking {
            return AfterQuestion::NothingAsked;
        }
        if !self.questions.is_empty() {
            self.questions.remove(0);
        }
        self.picked = None;
        self.asking = !self.questions.is_empty();
        if self.asking {
            AfterQuestion::NextQuestion
        } else {
            AfterQuestion::StepRuns
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A question with three choices, of which `answer` is right.
    #[derive(Debug, Clone, PartialEq)]
    struct Q(usize);

    impl Asked for Q {
        fn choice_count(&self) -> usize {
            3
        }
        fn right_choice(&self) -> usize {
            self.0
        }
    }

    fn question(answer: usize) -> Q {
        Q(answer)
    }

    fn asking(questions: Vec<Q>) -> Predict<Q> {
        let mut p = Predict::default();
        p.set_on(true);
        p.arm(questions);
        p
    }

    #[test]
    fn questions_wait_until_the_run_reaches_the_step() {
        let mut p = asking(vec![question(1)]);
        assert!(!p.asking, "armed, not shown");
        assert!(!p.answer(1), "no answer before the question is shown");
        assert!(p.ask());
        assert!(p.asking);
    }

    #[test]
    fn a_step_without_questions_does_not_stop_the_clock() {
        let mut p = asking(Vec::new());
        assert!(!p.ask());
        assert_eq!(p.close_question(), AfterQuestion::NothingAsked);
    }

    #[test]
    fn only_the_first_answer_counts_and_is_scored() {
        let mut p = asking(vec![question(2)]);
        p.ask();
        assert!(!p.answer(99), "a choice the question does not offer");
        assert!(p.answer(2));
        assert!(!p.answer(0), "a second pick is ignored");
        assert_eq!((p.score.asked, p.score.right), (1, 1));
        assert_eq!(p.picked, Some(2));
        let mut wrong = asking(vec![question(2)]);
        wrong.ask();
        assert!(wrong.answer(0));
        assert_eq!((wrong.score.asked, wrong.score.right), (1, 0));
    }

    #[test]
    fn questions_of_one_step_come_one_after_the_other_then_the_step_runs() {
        let mut p = asking(vec![question(0), question(1)]);
        p.ask();
        p.answer(0);
        assert_eq!(p.close_question(), AfterQuestion::NextQuestion);
        assert!(p.asking);
        assert_eq!(p.picked, None, "the next question starts unanswered");
        p.answer(1);
        assert_eq!(p.close_question(), AfterQuestion::StepRuns);
        assert!(!p.asking);
        assert_eq!((p.score.asked, p.score.right), (2, 2));
        assert_eq!(p.close_question(), AfterQuestion::NothingAsked);
    }

    #[test]
    fn switching_off_drops_the_question_and_a_new_run_drops_the_score() {
        let mut p = asking(vec![question(0)]);
        p.ask();
        p.answer(0);
        p.set_on(false);
        assert!(!p.on && !p.asking && p.questions.is_empty() && p.picked.is_none());
        assert_eq!(p.score.asked, 1, "the score stays while the run does");
        p.new_run();
        assert_eq!(p.score, Score::default());
    }
}
