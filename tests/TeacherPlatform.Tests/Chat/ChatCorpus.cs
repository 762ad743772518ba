using System.Text;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Chat;

/// <summary>A small pedagogy corpus written for the assistant tests.</summary>
public static class ChatCorpus
{
    public static readonly string[][] TechniqueBook =
    [
        [
            "Posture comes first. Sit at the front half of the bench with the forearms level with the keys and the shoulders low and relaxed.",
            "The bench height decides the angle of the forearm: too low and the wrist collapses, too high and the shoulders lift. Adjust it before every lesson, because children grow quickly and adults slump when tired.",
            "Feet rest flat on the floor, the right foot near the damper pedal, the left slightly back for balance. The back stays upright but not stiff, leaning a little forward from the hips.",
            "Teachers should check posture at the start of each lesson and whenever a student reports tension in the neck, shoulders or forearms.",
        ],
        [
            "Finger independence is trained with slow five-finger exercises: hold four fingers down silently and lift and play the remaining finger, ten times each, with a relaxed hand.",
            "Independent fingers let each finger press and release a key without dragging its neighbours. Practise these independence drills daily for five minutes.",
            "The fourth finger is the weakest because it shares tendons with its neighbours, so give it extra repetitions and never force it with a loud tone.",
            "Keep every independence exercise at mezzo piano or softer; loud practice makes the hand tense up to compensate for the weaker fingers.",
        ],
        [
            "Trills build speed only after independence: alternate fingers two and three slowly, then three and four, keeping the wrist loose.",
            "Start each trill exercise at a slow metronome setting and raise it by four beats per minute only when the trill is even at the current speed for a whole week.",
            "A trill should sound like a shimmer, not a drum roll: keep the fingers close to the keys and let the rotation of the forearm help the weaker pair of fingers.",
            "Practise trills in short bursts of four notes with a pause, then eight notes, so the hand learns to relax between the bursts.",
        ],
    ];

    public const string PedalText =
        "Legato pedalling, also called syncopated pedalling, means pressing the damper pedal just after the new chord sounds and releasing it exactly as the next chord is played.\n\n" +
        "Half pedalling lifts the dampers only partly, so some resonance remains while the bass stays clear.";

    public const string ScaleText =
        "The B flat major scale uses the fingering 4-1-2-3-1-2-3 in the right hand, starting with the fourth finger on B flat.\n\n" +
        "In the left hand the B flat major scale starts with the third finger: 3-2-1-4-3-2-1, with the thumb on E flat and C.";

    public static async Task<(string Technique, string Pedal, string Scales)> LoadAsync(ApiFactory factory, TestUser teacher, bool isPublic = true)
    {
        var technique = await factory.IngestAsync(teacher, "Technique book", "pdf", "technique.pdf", TestDocuments.Pdf(TechniqueBook), "application/pdf", isPublic);
        var pedal = await factory.IngestAsync(teacher, "Pedalling notes", "text", "pedal.txt", Encoding.UTF8.GetBytes(PedalText), "text/plain", isPublic);
        var scales = await factory.IngestAsync(teacher, "Scale fingerings", "text", "scales.txt", Encoding.UTF8.GetBytes(ScaleText), "text/plain", isPublic);
        return (technique, pedal, scales);
    }
}
