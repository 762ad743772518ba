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
        ],
        [
            "Finger independence is trained with slow five-finger exercises: hold four fingers down silently and lift and play the remaining finger, ten times each, with a relaxed hand.",
            "Independent fingers let each finger press and release a key without dragging its neighbours. Practise these independence drills daily for five minutes.",
        ],
        [
            "Trills build speed only after independence: alternate fingers two and three slowly, then three and four, keeping the wrist loose.",
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
