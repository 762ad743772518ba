namespace TeacherPlatform.Ai.Embeddings.Quantization;

/// <summary>
/// Fixed calibration input for activation smoothing: generic piano-teaching questions (short and long, as students write
/// them) and passages (as lesson notes and method books read), written for this purpose — none is taken from the eval
/// datasets, so calibrating on them tunes nothing to the figures that judge the result. Changing this list changes the
/// int8 weights: bump <see cref="OnnxDynamicQuantizer.Version"/> and the int8 model id with it.
/// </summary>
public static class CalibrationText
{
    public static readonly IReadOnlyList<string> Questions =
    [
        "How long should a ten-year-old practise every day?",
        "What is the best way to learn a new piece hands separately?",
        "Why does my wrist hurt after playing octaves?",
        "Should I use the metronome all the time?",
        "How do I count dotted rhythms correctly?",
        "What does rubato mean in Romantic music?",
        "How can I play trills faster without tension?",
        "Is it better to memorise music early or late?",
        "My left hand is always louder than the melody in the right hand, even when I try to play it softly; how can I balance the two hands in a slow piece?",
        "I get nervous at every lesson and my hands shake so much that I make mistakes I never make at home, what can I do before and during the lesson to stay calm?",
        "When I play a Bach invention the two voices sound the same and my teacher wants them shaped differently, how do I practise hearing and voicing each line on its own?",
        "How should an adult who started piano at fifty organise a short practice session after work so that scales, pieces and sight-reading all get some time?",
        "My fingers flatten out when I play chords and the sound becomes harsh, what should I think about in the arm and hand to get a fuller tone without banging?",
        "Can you explain how to finger a chromatic scale in both hands and why the third finger is used on the black keys so often?",
        "How do I stop rushing in the easy passages and slowing down in the hard ones when I play through a sonata movement from beginning to end?",
        "What exercises help a student with small hands reach ninths and octaves safely, and when should they rather leave out a note of the chord?",
        "Why does my teacher insist on practising slowly with a loose arm, and how slow is slow enough for a passage that has to be fast in the end?",
        "I can play the notes of the study but it sounds mechanical; how do I add phrasing, dynamics and direction so it sounds like music and not like an exercise?",
        "How do you teach a young child to read notes on both staves without writing the letter names in the score?",
        "What is the difference between finger legato and pedal legato, and when would a pianist choose one over the other?",
    ];

    public static readonly IReadOnlyList<string> Passages =
    [
        "Begin each practice session with a few minutes of slow scales in contrary motion. Listen for an even tone from every finger and keep the wrist level while the thumb passes under.",
        "The phrase should rise towards its highest note and relax afterwards, like a sentence spoken aloud. Mark the breathing places in pencil and let the hand lift gently at each one.",
        "Staccato is produced by a quick, light release of the key, not by striking it harder. Let the finger spring back from the key bed while the arm stays quiet and supple.",
        "When the pupil is tired, the practice becomes careless and mistakes are learnt as thoroughly as correct notes. Two short sessions with a rest between them achieve more than one long one.",
        "Arpeggios require a smooth lateral movement of the arm, so that the hand arrives above each new position before the thumb plays. Practise the turn-over in groups of three notes, then join the groups.",
        "The sustaining pedal should be changed a moment after the new harmony is struck. If it is changed at the same moment, the previous chord is lost and a gap is heard; if it is changed too late, the harmonies blur.",
        "Lesson 12. Dynamics. A crescendo is a gradual increase of tone over several notes; it must be planned so that the loudest point falls where the phrase requires it, and not at the first opportunity.",
        "Scales in thirds and sixths train the independence of the fingers and the evenness of double notes. Hold the lower voice slightly lighter so that the upper line sings above it.",
        "Chapter IV. On Touch. The weight of the arm, transferred from one finger to the next, produces a round singing tone; the finger alone, striking from above, gives a thin and percussive sound. The pupil should learn to feel the bottom of the key without pressing into it, and to release the weight as soon as the sound begins, because a pressed key cannot make the string sound any longer or any louder. Exercises for this are best done on a single note, then on two adjacent notes, listening always to the join between them.",
        "Memorising is safest when it rests on several kinds of knowledge at once: the sound of the music, the shapes the hands make, the harmony and form of the piece, and the look of the printed page. A pupil who knows only the finger memory of a piece is likely to stop when nervous, because that memory is disturbed first. Practise starting at different sections, play the left hand alone from memory, and name the chords of each phrase before the first performance.",
        "Rhythm. Count aloud while practising new pieces, and feel the strong beat of each bar in the body rather than in the fingers only. Syncopations, ties and rests should be counted as carefully as notes; a rest is part of the music and must last its full value.",
        "Octave passages are played from the wrist and forearm with a loose hand; the thumb and fifth finger keep their shape while the other fingers stay relaxed above the keys. Stop as soon as any tension or pain is felt, shake the arm loose and begin again more slowly.",
        "For the beginner: sit at a height where the forearm is level with the keyboard, the feet flat on the floor or on a footstool, the back upright but not stiff. The distance from the keyboard should let the elbows move freely in front of the body.",
        "The fourth and fifth fingers are naturally weaker and less independent. Daily slow exercises in which each finger lifts and plays while the others rest lightly on their keys will gradually strengthen them, provided the knuckles stay firm and the hand remains relaxed.",
        "Sight-reading improves only with daily practice on music that is easier than the pieces being studied. Keep the pulse going whatever happens, look ahead, and do not stop to correct mistakes.",
        "Ornaments in Baroque music generally begin on the beat and, in the case of trills, often on the upper note. The speed of the trill may vary with the character of the piece, but it must never disturb the steady pulse of the accompanying voices.",
    ];
}
